"""The web console in a real browser: headless Chromium driven through
chromedriver (Selenium), as a customer uses it. Called by the Swift test
ConsoleBrowserTests with a running hushboxd; each phase signs in afresh.

Usage: console_walkthrough.py PHASE BASE_URL EMAIL PASSWORD-FILE OUT-DIR [ARGS...]
  listen   MESSAGE-ID GREETING-WAV   sign in; the message is listed, plays to the end and downloads;
                                     a greeting is uploaded; a form posted from another site is refused
  erase    CALLER-NUMBER             erase a caller from the privacy page; the audit log shows it;
                                     sign out, and the old session opens nothing
Prints one JSON object of what it saw on its last line; exits 1 with the reason on a failed check.
Screenshots go to OUT-DIR/screenshots (phone and desktop widths).
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

phase, base, email, password_file, out = sys.argv[1:6]
rest = sys.argv[6:]
password = open(password_file).read().strip()
downloads = os.path.join(out, "downloads")
screenshots = os.path.join(out, "screenshots")
os.makedirs(downloads, exist_ok=True)
os.makedirs(screenshots, exist_ok=True)
seen = {}


def check(condition, reason):
    if not condition:
        print(json.dumps(seen))
        print("FAILED: " + reason, file=sys.stderr)
        driver.save_screenshot(os.path.join(screenshots, "failure-%s.png" % phase))
        driver.quit()
        sys.exit(1)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]:
        options.add_argument(argument)
    # The development box's certificate is self-signed; the Swift tests check TLS itself.
    options.set_capability("acceptInsecureCerts", True)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    service = Service(executable_path="/usr/bin/chromedriver", log_output=os.path.join(out, "chromedriver-%s.log" % phase))
    return webdriver.Chrome(options=options, service=service)


driver = browser()
wait = WebDriverWait(driver, 20)


def shoot(name):
    """The page at desktop and phone widths."""
    driver.set_window_size(1280, 900)
    driver.save_screenshot(os.path.join(screenshots, name + "-desktop.png"))
    driver.set_window_size(390, 844)
    driver.save_screenshot(os.path.join(screenshots, name + "-phone.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    seen.setdefault("phone_overflow", {})[name] = width
    driver.set_window_size(1280, 900)


def sign_in():
    driver.get(base + "/console/sign-in")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "sign-in")))
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait.until(lambda d: "/console/sign-in" not in d.current_url)
    cookie = driver.get_cookie("__Host-hushbox-session")
    check(cookie is not None, "signed in, the browser keeps the session cookie")
    check(cookie.get("httpOnly") and cookie.get("secure") and cookie.get("sameSite") == "Strict", "the cookie is HttpOnly, Secure, SameSite=Strict: %r" % cookie)
    check(driver.execute_script("return document.cookie") == "", "no script on the page can read the session cookie")
    return cookie


def listen(message_id, greeting):
    driver.get(base + "/console/sign-in")
    shoot("sign-in")
    sign_in()
    started = time.monotonic()
    driver.get(base + "/console/messages")
    item = wait.until(expected_conditions.presence_of_element_located((By.ID, "message-" + message_id)))
    seen["messages_page_seconds"] = round(time.monotonic() - started, 3)
    shoot("messages")
    # Play it through: the audio element must reach "ended".
    started = time.monotonic()
    driver.execute_script("""
        const audio = document.querySelector('audio[data-message="' + arguments[0] + '"]');
        window.__played = {playing: null, ended: false, error: null};
        audio.addEventListener('playing', () => { if (window.__played.playing === null) window.__played.playing = performance.now(); });
        audio.addEventListener('ended', () => { window.__played.ended = true; });
        audio.addEventListener('error', () => { window.__played.error = String(audio.error && audio.error.code); });
        window.__played.asked = performance.now();
        audio.play().catch(e => { window.__played.error = String(e); });
    """, message_id)
    try:
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return window.__played.ended || window.__played.error !== null"))
    except TimeoutException:
        pass
    played = driver.execute_script("return window.__played")
    check(played.get("error") is None, "the message plays: %r" % played)
    check(played.get("ended"), "the player reaches the end: %r" % played)
    seen["playing_after_ms"] = round(played["playing"] - played["asked"], 1)
    seen["played_seconds"] = round(time.monotonic() - started, 2)
    seen["source"] = driver.execute_script("return document.querySelector('audio[data-message=\"' + arguments[0] + '\"]').currentSrc", message_id)

    # Download the .opus as a customer does, by its link.
    item.find_element(By.PARTIAL_LINK_TEXT, "Download .opus").click()
    deadline = time.monotonic() + 30
    files = []
    while time.monotonic() < deadline:
        files = [f for f in os.listdir(downloads) if f.endswith(".opus")]
        if files:
            break
        time.sleep(0.2)
    check(files, "the .opus download arrives in %s" % downloads)
    seen["download"] = os.path.join(downloads, files[0])

    # A greeting from a WAV file, through the mailbox page's upload form.
    driver.get(base + "/console/mailboxes")
    form = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "form.upload[data-upload$='/greetings/standard']")))
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(greeting)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    output = form.find_element(By.TAG_NAME, "output")
    WebDriverWait(driver, 60).until(lambda d: output.get_attribute("data-state") in ("saved", "refused"))
    check(output.get_attribute("data-state") == "saved", "the greeting is saved: %s" % output.text)
    seen["greeting"] = output.text
    shoot("mailboxes")
    for page in ["retention", "privacy", "incidents", "sub-processors", "uplink", "api-keys", "users", "audit"]:
        driver.get(base + "/console/" + page)
        check(driver.find_elements(By.CSS_SELECTOR, "nav a[aria-current=page]"), "the %s page opens" % page)
        shoot(page)

    # Another site's page posting the erasure form to the box, while signed in here.
    forged = "data:text/html,<form id=f method=post action='%s/console/privacy/erasure'><input name=subject value='x'><input name=csrf value='x'></form><script>document.getElementById('f').submit()</script>" % base
    driver.get(forged)
    wait.until(lambda d: d.current_url.startswith(base))
    body = driver.find_element(By.TAG_NAME, "body").text
    check("Refused" in body and "another site" in body, "a cross-site post is refused by the origin check: %s" % body[:300])
    seen["cross_site"] = body.split("\n")[0:6]


def erase(number):
    sign_in()
    driver.get(base + "/console/privacy")
    form = wait.until(expected_conditions.presence_of_element_located((By.ID, "erasure")))
    form.find_element(By.NAME, "subject").send_keys(number)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    alert = wait.until(expected_conditions.alert_is_present())
    seen["confirm"] = alert.text
    alert.accept()
    wait.until(lambda d: "Erasure recorded" in d.find_element(By.TAG_NAME, "body").text)
    seen["erasure"] = driver.find_element(By.CSS_SELECTOR, "dl.outcome").text
    shoot("erasure")
    driver.get(base + "/console/messages")
    seen["messages_after"] = len(driver.find_elements(By.CSS_SELECTOR, "li.message"))
    driver.get(base + "/console/audit")
    actions = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "table.audit td:nth-child(4)")]
    check("erasure.requested" in actions, "the audit log shows the erasure: %r" % actions[:10])
    seen["audit_actions"] = actions[:10]
    seen["chain"] = driver.find_element(By.ID, "chain").text

    # Sign out; the old session cookie, put back by hand, opens nothing.
    cookie = driver.get_cookie("__Host-hushbox-session")
    driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
    wait.until(lambda d: d.current_url.endswith("/console/sign-in"))
    check(driver.get_cookie("__Host-hushbox-session") is None, "sign-out removes the cookie")
    driver.add_cookie({k: cookie[k] for k in ("name", "value", "path", "secure", "httpOnly", "sameSite")})
    driver.get(base + "/console/audit")
    check(driver.current_url.endswith("/console/sign-in"), "the signed-out session is refused: %s" % driver.current_url)
    seen["after_sign_out"] = driver.current_url


try:
    if phase == "listen":
        listen(rest[0], rest[1])
    elif phase == "erase":
        erase(rest[0])
    else:
        check(False, "unknown phase " + phase)
except Exception as error:
    text = driver.find_element(By.TAG_NAME, "body").text if driver.find_elements(By.TAG_NAME, "body") else ""
    check(False, "%s: %s at %s, the page says: %s" % (type(error).__name__, str(error).split("\n")[0], driver.current_url, text[:600]))
print(json.dumps(seen))
driver.quit()
