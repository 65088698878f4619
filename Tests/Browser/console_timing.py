"""How long the console takes in headless Chromium, for LatencyMeasurement
(not a test): the messages page of a mailbox holding 1,000 messages, from
navigation to the load event, and a message's player from play() to "playing".

Usage: console_timing.py BASE_URL SESSION_TOKEN MESSAGE_ID ROUNDS
Prints one JSON object: {"page_ms": [...], "playing_ms": [...]}.
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base, token, message, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required", "--mute-audio"]:
    options.add_argument(argument)
options.set_capability("acceptInsecureCerts", True)
driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
driver.set_script_timeout(30)
driver.get(base + "/console/sign-in")
driver.add_cookie({"name": "__Host-hushbox-session", "value": token, "path": "/", "secure": True, "httpOnly": True, "sameSite": "Strict"})
page, playing = [], []
for _ in range(rounds):
    driver.get(base + "/console/messages")
    timing = driver.execute_script("const t = performance.getEntriesByType('navigation')[0]; return [t.loadEventEnd, document.querySelectorAll('li.message').length]")
    assert timing[1] == 50, "a page of 50 messages: %r" % timing
    page.append(round(timing[0], 1))
    playing.append(round(driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const audio = new Audio('/console/messages/' + arguments[0] + '/audio?format=opus');
        const asked = performance.now();
        audio.addEventListener('playing', () => { done(performance.now() - asked); audio.pause(); });
        audio.addEventListener('error', () => done(-1));
        audio.play();
    """, message), 1))
print(json.dumps({"page_ms": sorted(page), "playing_ms": sorted(playing)}))
driver.quit()
