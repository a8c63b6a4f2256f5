from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cymuned.api"
    label = "api"
    verbose_name = "API"
