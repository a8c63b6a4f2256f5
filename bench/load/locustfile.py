"""Locust users for the load test: the public, hirers (with a burst on one slot), staff, FEOs and lettings managers.

Run by bench/load/run.py, which prepares the world, starts gunicorn on 127.0.0.1 and passes two files through the
environment: LOAD_PLAN (accounts, slots and ids, from bench/load/world.py) and LOAD_RESULTS (where every request is
written at the end, for run.py to summarise). It sends traffic only to the --host it is given.

Every request is judged here, not by its status code alone: a GET must answer 200 (a redirect to sign-in is a failure),
a form must redirect where it should. A refusal the application is meant to give (the slot was taken a moment ago, the
request was decided by another manager) counts as an *expected conflict*, apart from the failures.

gunicorn stands where it would in production, behind a TLS-terminating proxy: every request carries
``X-Forwarded-Proto: https`` (config.settings.production trusts it), so the server runs its production settings
unchanged, HTTPS redirect and Secure cookies included. The client plays browser and proxy together, so it must send
Secure cookies over the plain loopback hop; the cookie-policy patch below allows that for 127.0.0.1 only.
"""

from __future__ import annotations

import html
import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from django_otp.oath import totp  # a pure function: no Django settings needed
from gevent.event import Event
from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
RESULTS = Path(os.environ["LOAD_RESULTS"])
MIX: dict[str, int] = PLAN["mix"]

_return_ok_secure = http.cookiejar.DefaultCookiePolicy.return_ok_secure


def _secure_over_loopback(self: http.cookiejar.DefaultCookiePolicy, cookie: http.cookiejar.Cookie, request: Any) -> bool:
    if request.get_host().split(":")[0] == "127.0.0.1":
        return True  # the proxy hop: the browser sent this cookie over HTTPS
    return _return_ok_secure(self, cookie, request)


http.cookiejar.DefaultCookiePolicy.return_ok_secure = _secure_over_loopback  # type: ignore[method-assign]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_ITEM = re.compile(r'govuk-error-summary__list">\s*<li>\s*(?:<a [^>]*>)?([^<]+)', re.S)
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.")  # the content hash ManifestStaticFilesStorage puts in a name
REQUEST_LINK = re.compile(r'href="/(?:en-gb|cy)/premises/requests/(\d+)/"')

#: (when, group, name, milliseconds, outcome, kind): one row per request, written for run.py at the end.
RECORDS: list[tuple[float, str, str, float, str, str]] = []


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int, exception: Any, context: dict, **kwargs: Any) -> None:
    outcome = context.get("outcome") or ("fail" if exception else "ok")
    kind = context.get("kind") or (str(exception) if exception else "")
    RECORDS.append((kwargs.get("start_time") or 0.0, context.get("group", "?"), name, round(response_time, 2), outcome, kind))


@events.quitting.add_listener
def _write(environment: Any, **kwargs: Any) -> None:
    RESULTS.write_text(json.dumps({"records": RECORDS, "burst": {"expected": MIX["burst_hirer"], "arrived": BURST["arrived"],
                                                                 "released_at": BURST["released_at"]}}))


_accounts = {kind: itertools.count() for kind in ("staff", "feo", "lettings_manager", "hirers")}


def _next_account(kind: str) -> dict[str, Any]:
    index = next(_accounts[kind])
    if index >= len(PLAN[kind]):
        raise RuntimeError(f"More simulated {kind} than load accounts: raise the mix in bench/load/run.py.")
    return PLAN[kind][index]


class Browser(HttpUser):
    """One person with a browser. ``page`` makes a request, judges it and says why it failed."""

    abstract = True
    language = "en-gb"
    static_fetched = False

    def on_start(self) -> None:
        # As nginx talks to gunicorn by default: HTTP/1.0-style, one connection per request (and so no keep-alive race
        # between gunicorn closing an idle connection and the client reusing it, which browsers retry and locust does not).
        self.client.headers.update({"X-Forwarded-Proto": "https", "Connection": "close", "User-Agent": "cymuned-load-test"})
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")

    def url(self, path: str) -> str:
        return f"/{self.language}{path}"

    def page(self, group: str, name: str, path: str, *, data: dict | None = None, params: dict | None = None, expect: int = 200,
             refusals: dict[str, list[str]] | None = None, refusal_status: int = 200) -> Any:
        headers = {"Origin": self.origin} if data is not None else {}
        method = "POST" if data is not None else "GET"
        with self.client.request(method, path, name=f"{group}: {name}", data=data, params=params, headers=headers,
                                 allow_redirects=False, catch_response=True, context={"group": group}) as response:
            context = response.request_meta["context"]
            refused = self.refusal(response, refusals, refusal_status) if response.status_code != expect else None
            if response.status_code == expect:
                response.success()
            elif refused:
                context["outcome"], context["kind"] = "conflict", refused
                response.success()  # the application refused as it should: not a failure
            else:
                response.failure(self.why(response))
        return response

    @staticmethod
    def refusal(response: Any, refusals: dict[str, list[str]] | None, status: int) -> str:
        """The kind of expected refusal this response is, if it is one."""
        if not refusals or response.status_code != status:
            return ""
        text = html.unescape(response.text)
        return next((kind for kind, messages in refusals.items() if any(m in text for m in messages)), "")

    @staticmethod
    def why(response: Any) -> str:
        status = response.status_code
        if not status:
            root = response.error
            while getattr(root, "__context__", None) is not None:  # the socket-level cause, e.g. ConnectionResetError
                root = root.__context__
            return f"connection error: {type(response.error).__name__} ({type(root).__name__})"
        if status in (301, 302, 303):
            target = response.headers.get("Location", "")
            if "/accounts/sign-in/" in target:
                return "redirected to sign-in"
            if "/two-factor/" in target:
                return "redirected to two-factor"
            return "unexpected redirect"
        if status == 200:
            found = ERROR_ITEM.search(response.text)
            return f"form refused: {html.unescape(found.group(1)).strip()[:90]}" if found else "form re-shown without an error"
        return f"HTTP {status}"

    def csrf(self, response: Any) -> str:
        found = CSRF.search(response.text or "")
        return found.group(1) if found else ""

    def fetch_static(self, response: Any) -> None:
        """A first visit with a cold cache: the browser fetches the page's stylesheets and scripts once."""
        if self.static_fetched or not response.text:
            return
        self.static_fetched = True
        for path in sorted(set(STATIC.findall(response.text))):
            self.page("static", HASHED.sub(".", path.rsplit("/", 1)[-1]), path)

    def sign_in(self, account: dict[str, Any]) -> bool:
        self.language = account["language"]
        form = self.page("sign-in", "form", self.url("/accounts/sign-in/"))
        self.fetch_static(form)
        signed = self.page("sign-in", "password", self.url("/accounts/sign-in/"), expect=302,
                           data={"csrfmiddlewaretoken": self.csrf(form), "username": account["email"], "password": PLAN["password"],
                                 "next": ""})
        if signed.status_code != 302:
            return False
        target = signed.headers["Location"]
        if "/two-factor/" not in target:
            return self.page("sign-in", "landing page", target).status_code == 200
        verify = self.page("sign-in", "two-factor form", target)
        code = totp(bytes.fromhex(account["totp_key"]), step=30, t0=0, digits=6)
        verified = self.page("sign-in", "two-factor code", target, expect=302,
                             data={"csrfmiddlewaretoken": self.csrf(verify), "token": f"{code:06d}", "next": ""})
        if verified.status_code != 302:
            return False
        return self.page("sign-in", "landing page", verified.headers["Location"]).status_code == 200


class PublicVisitor(Browser):
    """Someone looking for something on at their school, or a space to hire: no account."""

    weight = 1
    wait_time = between(1, 4)

    def on_start(self) -> None:
        super().on_start()
        self.language = "cy" if random.random() < 0.25 else "en-gb"
        self.fetch_static(self.page("public", "home", self.url("/")))

    @task(2)
    def home(self) -> None:
        self.page("public", "home", self.url("/"))

    @task(3)
    def programmes(self) -> None:
        params = random.choice([None, {"q": "family"}, {"kind": "adult_learning"}])
        self.page("public", "programme list", self.url("/programmes/"), params=params)

    @task(3)
    def programme(self) -> None:
        if PLAN["programmes"]:
            self.page("public", "programme", self.url(f"/programmes/{random.choice(PLAN['programmes'])}/"))

    @task(4)
    def spaces(self) -> None:
        params = random.choice([None, {"kind": "hall"}, {"people": "30"}, {"week": random.choice(PLAN["weeks"])}, {"q": "Cyfarthfa"}])
        self.page("public", "space list + availability", self.url("/premises/"), params=params)

    @task(4)
    def space(self) -> None:
        space = random.choice(PLAN["spaces"])
        self.page("public", "space + week's free times", self.url(f"/premises/spaces/{space['id']}/"),
                  params={"week": random.choice(PLAN["weeks"])})

    @task(1)
    def sign_up(self) -> None:
        if not PLAN["sign_up_programmes"]:
            return
        programme = random.choice(PLAN["sign_up_programmes"])
        form = self.page("public", "programme sign-up form", self.url(f"/programmes/{programme}/sign-up/"))
        if form.status_code != 200:
            return
        sent = self.page("public", "programme sign-up", self.url(f"/programmes/{programme}/sign-up/"), expect=302, data={
            "csrfmiddlewaretoken": self.csrf(form), "participant_name": "Load Visitor", "places": "1", "privacy": "on", "website": "",
            "email": f"visitor-{random.getrandbits(48):x}@load.cymuned.test", "telephone": "", "postcode": "", "school": "",
            "access_needs": "",
        })
        if sent.status_code == 302:
            self.page("public", "signed up", sent.headers["Location"])


#: Staff pages by role: what each looks at on a working day (all under the language prefix).
STAFF_PAGES = {
    "la_lead": ["/dashboard/", "/organisations/schools/", "/organisations/clusters/", "/self-evaluation/", "/self-evaluation/heatmap/",
                "/programmes/report/", "/premises/reports/utilisation/", "/premises/requests/", "/audit/"],
    "la_officer": ["/dashboard/", "/organisations/schools/", "/self-evaluation/", "/self-evaluation/heatmap/", "/programmes/report/",
                   "/premises/reports/utilisation/"],
    "hub_coordinator": ["/dashboard/", "/organisations/partners/", "/self-evaluation/", "/programmes/report/"],
    "headteacher": ["/dashboard/", "/families/caseload/", "/outcomes/worklist/", "/families/learners/", "/self-evaluation/",
                    "/premises/requests/", "/programmes/report/"],
    "school_staff": ["/dashboard/", "/families/learners/", "/self-evaluation/", "/programmes/manage/"],
}


class Staff(Browser):
    """LA officers, the hub, heads and school staff looking at their dashboards, lists and reports."""

    fixed_count = MIX["staff"]
    wait_time = between(2, 6)

    def on_start(self) -> None:
        super().on_start()
        self.account = _next_account("staff")
        self.signed_in = self.sign_in(self.account)

    @task
    def look(self) -> None:
        if self.signed_in:
            path = random.choice(STAFF_PAGES[self.account["role"]])
            self.page("staff", path.strip("/").replace("/", " ") or "home", self.url(path))


class Feo(Browser):
    """A Family Engagement Officer: caseload, worklist, an episode, and a contact logged from a phone."""

    fixed_count = MIX["feo"]
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.account = _next_account("feo")
        self.signed_in = self.sign_in(self.account)

    @task(2)
    def caseload(self) -> None:
        if self.signed_in:
            self.page("feo", "caseload", self.url("/families/caseload/"))

    @task(1)
    def worklist(self) -> None:
        if self.signed_in:
            self.page("feo", "worklist", self.url("/outcomes/worklist/"))

    @task(3)
    def log_contact(self) -> None:
        if not (self.signed_in and self.account.get("episodes")):
            return
        path = self.url(f"/families/episodes/{random.choice(self.account['episodes'])}/")
        episode = self.page("feo", "episode", path)
        if episode.status_code != 200:
            return
        logged = self.page("feo", "log contact", path, expect=302, data={
            "csrfmiddlewaretoken": self.csrf(episode), "happened_on": PLAN["today"], "kind": random.choice(["phone", "home_visit", "message"]),
            "duration_minutes": str(random.choice([10, 20, 30, 45])), "present": "Mum", "notes": "Load test: attendance discussed.",
            "next_steps": "", "next_step_due": "",
        })
        if logged.status_code == 302:
            self.page("feo", "episode", logged.headers["Location"])


class LettingsManager(Browser):
    """A community school manager working through booking requests, approving the first waiting one."""

    fixed_count = MIX["lettings_manager"]
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.account = _next_account("lettings_manager")
        self.signed_in = self.sign_in(self.account)

    @task(2)
    def requests(self) -> None:
        if self.signed_in:
            self.page("lettings", "requests", self.url("/premises/requests/"))

    @task(3)
    def approve(self) -> None:
        if not self.signed_in:
            return
        listing = self.page("lettings", "requests", self.url("/premises/requests/"))
        waiting = REQUEST_LINK.findall(listing.text or "") if listing.status_code == 200 else []
        if not waiting:
            return
        path = self.url(f"/premises/requests/{random.choice(waiting[:3])}/")
        detail = self.page("lettings", "request", path)
        if detail.status_code != 200:
            return
        decided = self.page("lettings", "approve", f"{path}decide/", expect=302, data={
            "csrfmiddlewaretoken": self.csrf(detail), "decision": "approve", "reason": "", "alternative": ""},
            refusals=PLAN["refusals"]["decided"], refusal_status=422)
        if decided.status_code == 302:
            self.page("lettings", "request", decided.headers["Location"])


BURST: dict[str, Any] = {"arrived": 0, "go": Event(), "released_at": None}


class Hirer(Browser):
    """A group that hires school spaces: looks at a week's free times and asks for an hour."""

    fixed_count = MIX["hirer"]
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.account = _next_account("hirers")
        self.signed_in = self.sign_in(self.account)

    def request_booking(self, slot: dict[str, Any], group: str, form: Any = None) -> Any:
        path = self.url(f"/premises/spaces/{slot['space']}/book/")
        if form is None:
            form = self.page(group, "booking form", path, params={"day": slot["day"], "from": slot["starts"]})
            if form.status_code != 200:
                return form
        space = next(s for s in PLAN["spaces"] if s["id"] == slot["space"])
        sent = self.page(group, "booking request", path, expect=302, data={
            "csrfmiddlewaretoken": self.csrf(form), "activity": "Load test rehearsal", "expected_people": str(min(10, space["capacity"])),
            "first_day": slot["day"], "starts": slot["starts"], "ends": slot["ends"], "weekly_until": "", "skip": "", "terms_accepted": "on",
        }, refusals=PLAN["refusals"]["taken"])
        if sent.status_code == 302:
            self.page(group, "my booking", sent.headers["Location"])
        return sent

    @task(3)
    def book(self) -> None:
        if not self.signed_in:
            return
        slot = random.choice(PLAN["slots"])
        self.page("hirer", "space + week's free times", self.url(f"/premises/spaces/{slot['space']}/"), params={"week": slot["week"]})
        self.request_booking(slot, "booking")

    @task(1)
    def my_bookings(self) -> None:
        if self.signed_in:
            self.page("hirer", "my bookings", self.url("/premises/my-bookings/"))


class BurstHirer(Hirer):
    """Hirers who all ask for the same slot at the same moment, once every one of them is signed in and has the form."""

    fixed_count = MIX["burst_hirer"]

    def on_start(self) -> None:
        form = None
        try:
            super().on_start()
            if self.signed_in:
                slot = PLAN["contested"]
                form = self.page("burst", "booking form", self.url(f"/premises/spaces/{slot['space']}/book/"),
                                 params={"day": slot["day"], "from": slot["starts"]})
        finally:
            BURST["arrived"] += 1
            if BURST["arrived"] >= MIX["burst_hirer"]:
                BURST["released_at"] = time.time()
                BURST["go"].set()
        BURST["go"].wait(timeout=60)
        if form is not None and form.status_code == 200:
            self.request_booking(PLAN["contested"], "burst", form=form)
