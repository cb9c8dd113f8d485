"""The README's screenshots, taken from the demo as `make run` serves it.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots]

Seeds the demo into a temporary SQLite database (``migrate``, ``seed_demo``),
serves it with ``run_demo`` on a free local port, logs in as the demo manager
(the login ``seed_demo`` prints) and saves, with Chromium
(``CHROMIUM_PATH``, else ``chromium`` on the PATH) at device scale 1:

- ``case-list.png``: the case list at 1366x768, in English;
- ``dashboard-trend.png``: the dashboard's weekly trend at 1366x768, in English;
- ``case-page-pl.png``: a Polish customer's escalated case at 1366x768, in
  Polish (its timeline worded in Polish when read);
- ``case-page-pl-phone.png``, ``dashboard-phone.png``: the same case page
  and the dashboard at 390x844.

With ``--set sms-wave``, instead, a wave by SMS as the manager sends one (the
support survey to the consumer segment), each page in English and Polish
(``-pl``) at 1366x768 and 390x844 (``-phone``): ``audience-sms*.png`` (the
audience page, SMS chosen), ``audience-sms-preview*.png`` (the confirmation
step: texts, skips, segments per language) and ``wave-sms*.png`` (the wave
page: texts sent, failed and waiting). The first preview's "Send now" starts
the wave: a reused ``--workdir`` previews its customers as already asked.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
# A person's browser: headless Chromium calls itself "HeadlessChrome", as the
# link scanners' browsers do (tests/conftest.py DESKTOP_AGENT).
DESKTOP_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SERVER_START_SECONDS = 120
LOGIN_LINE = re.compile(r"^\s*(?P<username>\S+)\s+(?P<password>\S+)\s+(?P<role>manager)\s*$")
# The Polish case to show: a Polish customer's open case, escalated, with an owner.
POLISH_CASE = """
    SELECT c.id FROM followups_followupcase c
    JOIN surveys_customer cu ON cu.id = c.customer_id
    WHERE cu.locale = 'pl' AND c.escalation_level > 0
      AND c.status NOT IN ('resolved', 'closed')
    ORDER BY c.owner_id IS NULL, c.escalation_level DESC, c.id
    LIMIT 1
"""


# The survey a wave by SMS is sent for: one the demo's customers with a phone
# were not asked for lately.
SMS_WAVE_SURVEY = "SELECT id FROM surveys_survey WHERE slug = 'support-nps'"
SMS_WAVE_SEGMENT = "consumer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_environment(workdir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="nps_project.settings.dev",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        EMAIL_FILE_PATH=str(workdir / "mail"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py, arguments from this script
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def manager_login(seed_output: str) -> tuple[str, str]:
    """The demo manager's user name and password, as ``seed_demo`` prints them."""
    for line in seed_output.splitlines():
        found = LOGIN_LINE.match(line)
        if found:
            return found["username"], found["password"]
    raise SystemExit(f"seed_demo printed no manager login:\n{seed_output}")


def wait_until_serving(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"run_demo stopped (exit {server.returncode}).")
        try:
            with urllib.request.urlopen(f"{base}/admin/login/", timeout=5):  # noqa: S310 - our own local server
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"run_demo did not answer within {SERVER_START_SECONDS} s.")


def demo_id(workdir: Path, query: str, missing: str) -> int:
    with sqlite3.connect(workdir / "demo.sqlite3") as db:
        row = db.execute(query).fetchone()
    if row is None:
        raise SystemExit(missing)
    return row[0]


def new_page(browser, viewport: dict, language: str, base: str, login: tuple[str, str]):
    """A logged-in page in a fresh context (its own cookies and language)."""
    phone = viewport is PHONE
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=1,
        locale=language,
        user_agent=PHONE_AGENT if phone else DESKTOP_AGENT,
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", login[0])
    page.fill("#id_password", login[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


# The elements wider than the page, for a page that scrolls sideways.
OVERFLOW = """() => {
    const width = window.visualViewport.width;
    return [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
}"""


def shoot(page, path: Path, url: str, *, element: str | None = None, full: bool = False) -> None:
    page.goto(url)
    capture(page, path, element=element, full=full)


def capture(page, path: Path, *, element: str | None = None, full: bool = False) -> None:
    """The page as it is now (after a ``goto``, or a form sent)."""
    page.wait_for_load_state("load")
    url = page.url
    # Against the viewport asked for: a phone widens its layout to fit the page.
    overflow = page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]
    if overflow > 0:
        wide = ", ".join(page.evaluate(OVERFLOW))
        print(f"  warning: {url} scrolls {overflow} px sideways ({wide})")
    if element:
        page.locator(element).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def take_screenshots(browser, base: str, login: tuple[str, str], case_id: int, out: Path) -> None:
    cases = f"{base}/admin/followups/followupcase/"
    case = f"{cases}{case_id}/change/"
    dashboard = f"{base}/admin/dashboard/?by=week"
    english = new_page(browser, LAPTOP, "en-US", base, login)
    shoot(english, out / "case-list.png", cases)
    shoot(english, out / "dashboard-trend.png", dashboard, element="#panel-trend")
    polish = new_page(browser, LAPTOP, "pl-PL", base, login)
    shoot(polish, out / "case-page-pl.png", case, full=True)
    polish_phone = new_page(browser, PHONE, "pl-PL", base, login)
    shoot(polish_phone, out / "case-page-pl-phone.png", case)
    english_phone = new_page(browser, PHONE, "en-US", base, login)
    shoot(english_phone, out / "dashboard-phone.png", dashboard)


def take_sms_wave_screenshots(
    browser, base: str, login: tuple[str, str], survey_id: int, out: Path
):
    """The audience page with SMS chosen and its preview, in English and
    Polish on a laptop and a phone; then the last preview sends, and the
    wave page is taken the same four ways."""
    audience = f"{base}/admin/surveys/survey/{survey_id}/audience/"
    pages = []
    for language, suffix in (("en-US", ""), ("pl-PL", "-pl")):
        for viewport, size in ((LAPTOP, ""), (PHONE, "-phone")):
            page = new_page(browser, viewport, language, base, login)
            page.goto(audience)
            page.check("input[name=kind][value=segment]")
            page.select_option("#id_segment", SMS_WAVE_SEGMENT)
            page.check("input[name=channel][value=sms]")
            capture(page, out / f"audience-sms{suffix}{size}.png", full=True)
            with page.expect_navigation():
                page.click("input[name=preview]")
            capture(page, out / f"audience-sms-preview{suffix}{size}.png", full=True)
            pages.append((page, f"{suffix}{size}"))
    pages[-1][0].click("input[name=send]")
    pages[-1][0].wait_for_url("**/admin/surveys/wave/*/change/")
    wave = pages[-1][0].url
    for page, name in pages:
        shoot(page, out / f"wave-sms{name}.png", wave, full=True)
        page.context.close()


def browser_launch(playwright):
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if executable is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium).")
    return playwright.chromium.launch(
        executable_path=executable,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--set",
        choices=("readme", "sms-wave"),
        default="readme",
        help="The README's pictures, or a wave by SMS sent and followed (see above).",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Keep the demo's database and emails here (seeded once, reused next time) "
        "instead of a temporary directory.",
    )
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    if options.workdir:
        options.workdir.mkdir(parents=True, exist_ok=True)
        run(options.workdir.resolve(), options.out, options.set)
    else:
        with tempfile.TemporaryDirectory(prefix="nps-screenshots-") as tmp:
            run(Path(tmp), options.out, options.set)


def run(workdir: Path, out: Path, pictures: str = "readme") -> None:
    """Seed the demo in ``workdir`` (if not yet), serve it, and save the pictures."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = demo_environment(workdir, port)
    print(f"Seeding the demo into {workdir}…")
    manage(env, "migrate", "--noinput")
    login = manager_login(manage(env, "seed_demo"))
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(MANAGE), "run_demo", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(base, server)
        print(f"Serving on {base}; saving to {out}:")
        with sync_playwright() as playwright:
            browser = browser_launch(playwright)
            if pictures == "sms-wave":
                survey_id = demo_id(workdir, SMS_WAVE_SURVEY, "The demo has no support survey.")
                take_sms_wave_screenshots(browser, base, login, survey_id, out)
            else:
                case_id = demo_id(
                    workdir,
                    POLISH_CASE,
                    "The demo has no escalated open case of a Polish customer.",
                )
                take_screenshots(browser, base, login, case_id, out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
