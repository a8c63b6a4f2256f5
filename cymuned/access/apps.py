from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "cymuned.access"
    label = "accesslayer"
    verbose_name = "Access layer"
