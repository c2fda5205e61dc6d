"""Locust users of benchmarks/load.py: planners on the board, the day view and bookings;
specialists reading and saving the shared form. Pages with the session cookies the script
made, the API with its knox tokens (LOAD_FIXTURE, a JSON file); 127.0.0.1 only."""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["LOAD_FIXTURE"], encoding="utf-8").read())
NUMBERS = itertools.count(1)


class LoggedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    persona = ""

    def on_start(self):
        self.client.cookies.set("sessionid", DATA["sessions"][self.persona], domain="127.0.0.1")
        self.client.get("/", name="home")
        self.token = DATA["tokens"][self.persona]

    def api_headers(self, **extra):
        """The API with the persona's token (a session would also need CSRF for the writes)."""
        return {"Authorization": f"Token {self.token}", **extra}


class Planner(LoggedIn):
    weight = 2
    persona = "planner"

    @task(6)
    def board(self):
        self.client.get(f"/sessions/{DATA['session']}/board/", name="board")

    @task(3)
    def day_view(self):
        self.client.get(f"/sessions/{DATA['session']}/day/", name="day view")

    @task(1)
    def booking(self):
        """A new referral, the search for her earliest morning, and the booking."""
        number = f"L{os.getpid()}-{next(NUMBERS)}"
        created = self.client.post("/api/referrals/", name="referral in", headers=self.api_headers(), json={
            "clinic": DATA["clinic"], "referring_gp": "Huisarts", "complaint": "palpable_lump",
            "patient": {"hospital_number": number, "given_name": "Last", "family_name": "Proef",
                        "date_of_birth": "1970-01-01", "sex": "F"}})
        if created.status_code != 201:
            return
        referral = created.json()["id"]
        suggestion = self.client.get(f"/api/referrals/{referral}/suggestion/", name="booking suggestion",
                                     headers=self.api_headers()).json()
        fit = suggestion.get("fit")
        if fit:
            with self.client.post("/api/visits/", name="booking", headers=self.api_headers(), catch_response=True,
                                  json={"referral": referral, "pathway": suggestion["pathway"], "date": fit["date"],
                                        "arrival": fit["arrival"]}) as response:
                if response.status_code == 409:  # someone booked that time first: a fair answer
                    response.success()


class Specialist(LoggedIn):
    weight = 3
    persona = "surgeon"

    @task(5)
    def form_read(self):
        self.client.get(f"/api/visits/{random.choice(DATA['visits'])}/form/", name="form read (API)",
                        headers=self.api_headers())

    @task(2)
    def form_page(self):
        self.client.get(f"/visits/{random.choice(DATA['visits'])}/form/", name="form page")

    @task(1)
    def form_save(self):
        visit = random.choice(DATA["visits"])
        section = self.client.get(f"/api/visits/{visit}/form/clinical/", name="form section read",
                                  headers=self.api_headers())
        if section.status_code != 200:
            return
        with self.client.patch(f"/api/visits/{visit}/form/clinical/", name="form save",
                               headers=self.api_headers(**{"If-Match": section.headers.get("ETag", "")}),
                               json={"complaint": f"Knobbel {random.randint(1, 99)} mm"},
                               catch_response=True) as response:
            if response.status_code in (409, 412):  # signed, or someone saved first: the API's answer
                response.success()
