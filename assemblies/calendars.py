"""iCalendar files for meetups, made with the `icalendar` library."""

from datetime import datetime

from icalendar import Calendar, Event

from assemblies.models import STATUS_CANCELLED, Assembly, Meetup

PRODID = "-//People's Assembly//Meetups//EN"


def calendar_for(
    name: str,
    meetups: list[Meetup],
    assemblies: dict[int, Assembly],
    base_url: str,
    now: datetime,
) -> bytes:
    """A VCALENDAR with one VEVENT per meetup; `base_url` has no trailing slash."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    host = base_url.split("://", 1)[-1]
    for meetup in meetups:
        calendar.add_component(_event(meetup, assemblies[meetup.assembly_id], base_url, host, now))
    return calendar.to_ical()


def _event(meetup: Meetup, assembly: Assembly, base_url: str, host: str, now: datetime) -> Event:
    url = f"{base_url}/m/{meetup.id}"
    event = Event()
    event.add("uid", f"meetup-{meetup.id}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", meetup.starts_at)
    event.add("dtend", meetup.ends_at)
    event.add("sequence", meetup.revision)
    event.add("summary", f"{meetup.title} · {assembly.name}")
    description = [meetup.agenda_summary, f"Register and details: {url}"]
    if meetup.accessibility_notes:
        description.insert(1, f"Access: {meetup.accessibility_notes}")
    if meetup.online_link:
        description.insert(1, f"Online: {meetup.online_link}")
    event.add("description", "\n\n".join(part for part in description if part))
    location = ", ".join(part for part in (meetup.venue_name, meetup.venue_address) if part)
    event.add("location", location or meetup.online_link)
    event.add("url", url)
    event.add("status", "CANCELLED" if meetup.status == STATUS_CANCELLED else "CONFIRMED")
    return event
