// Live updates for pages that follow meetups: status badges and place counts.
// Reads its rooms and starting seq from the [data-live-rooms] element; never uses innerHTML.
"use strict";

(function () {
  const root = document.querySelector("[data-live-rooms]");
  if (!root || !window.AssemblyLive) {
    return;
  }
  const labels = JSON.parse(root.dataset.statusLabels || "{}");
  const stateLabels = JSON.parse(root.dataset.stateLabels || "{}");
  const announce = root.querySelector("[data-live-announce]");
  const stateLine = root.querySelector("[data-live-state]");
  const STATUS_BY_EVENT = {
    CheckInOpened: "checkin_open",
    MeetupStarted: "in_progress",
    MeetupEnded: "ended",
    MeetupCancelled: "cancelled",
  };
  const COUNT_EVENTS = ["AttendeeRegistered", "RegistrationCancelled", "WaitlistPromoted"];

  function setText(selector, text) {
    root.querySelectorAll(selector).forEach((element) => {
      element.textContent = text;
    });
  }

  function onEvent(event) {
    const meetupId = event.payload.meetup_id;
    const status = STATUS_BY_EVENT[event.type];
    if (status) {
      root.querySelectorAll('[data-meetup-status="' + meetupId + '"]').forEach((badge) => {
        badge.textContent = labels[status] || status;
        badge.className = "status status-" + status;
      });
      if (announce) {
        announce.textContent = labels[status] || status;
      }
    }
    if (COUNT_EVENTS.includes(event.type)) {
      setText('[data-confirmed="' + meetupId + '"]', String(event.payload.confirmed));
      setText('[data-waitlisted="' + meetupId + '"]', String(event.payload.waitlisted));
      root.querySelectorAll('[data-places-left="' + meetupId + '"]').forEach((element) => {
        const capacity = parseInt(element.dataset.capacity, 10);
        element.textContent = String(Math.max(0, capacity - event.payload.confirmed));
      });
    }
  }

  function onState(state) {
    if (stateLine) {
      stateLine.textContent = stateLabels[state] || state;
      stateLine.dataset.state = state;
    }
  }

  const rooms = JSON.parse(root.dataset.liveRooms);
  const startSeq = parseInt(root.dataset.seq, 10);
  new window.AssemblyLive.LiveConnection(rooms, onEvent, onState, Number.isNaN(startSeq) ? null : startSeq);
})();
