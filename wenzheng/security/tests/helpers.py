"""Solving our own CAPTCHA in tests, as a person reading the image would."""

import re

from captcha.models import CaptchaStore

KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


def captcha_answer(response) -> dict:
    """The CAPTCHA fields a person would fill in on the page `response` shows
    (nothing when it shows none)."""
    found = KEY.search(response.content.decode())
    if found is None:
        return {}
    store = CaptchaStore.objects.get(hashkey=found[1])
    return {"captcha_0": store.hashkey, "captcha_1": store.response}


def login_attempt(client, username, password, **extra):
    """A sign-in as a person makes it: the page first, its CAPTCHA solved if shown."""
    page = client.get("/accounts/login/", **extra)
    if page.status_code != 200:
        return page
    data = {"username": username, "password": password, **captcha_answer(page)}
    return client.post("/accounts/login/", data, **extra)
