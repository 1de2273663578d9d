// The door: scan tickets with the camera, type short codes, search names, see attendance.
// Every action carries a client-made scan id. Actions made while offline are kept in
// localStorage and replayed, in order, when the connection returns; the server answers a
// replayed scan id with the result it recorded the first time.
"use strict";

(function () {
  const root = document.getElementById("door");
  if (!root) {
    return;
  }
  const meetupId = parseInt(root.dataset.meetupId, 10);
  const labels = JSON.parse(root.dataset.labels);
  const QUEUE_KEY = "door-queue-" + meetupId;
  const DEVICE_KEY = "door-device";
  const SAME_CODE_PAUSE_MS = 4000;
  const resultBox = root.querySelector("[data-door-result]");
  const resultTitle = root.querySelector("[data-result-title]");
  const resultDetail = root.querySelector("[data-result-detail]");
  const queueState = root.querySelector("[data-queue-state]");
  const stateLine = root.querySelector("[data-live-state]");
  let live = null;
  let online = false;
  let lastCode = { text: "", at: 0 };

  function deviceName() {
    let name = localStorage.getItem(DEVICE_KEY);
    if (!name) {
      name = "device " + Math.random().toString(36).slice(2, 6).toUpperCase();
      localStorage.setItem(DEVICE_KEY, name);
    }
    return name;
  }

  function queue() {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  }

  function saveQueue(items) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
    queueState.textContent = items.length ? items.length + " " + labels.pending : "";
  }

  function showResult(result) {
    const kind = result.admitted ? "ok" : result.outcome === "already" ? "warn" : "bad";
    resultBox.className = "door-result door-result-" + kind;
    resultBox.dataset.outcome = result.outcome;
    resultTitle.textContent = result.message + (result.name ? ": " + result.name : "");
    resultDetail.textContent = result.detail || "";
  }

  function showQueued() {
    resultBox.className = "door-result door-result-warn";
    resultBox.dataset.outcome = "queued";
    resultTitle.textContent = labels.queued;
    resultDetail.textContent = "";
  }

  async function send(action) {
    const ack = await live.command(action.command, action.data);
    if (!ack.ok && ack.error.code === "timeout") {
      throw new Error("offline");
    }
    return ack;
  }

  async function perform(command, data) {
    const action = {
      command: command,
      data: Object.assign({ meetup_id: meetupId, scan_id: window.AssemblyLive.newClientId(), device: deviceName() }, data),
    };
    if (!online) {
      saveQueue(queue().concat([action]));
      showQueued();
      return;
    }
    try {
      const ack = await send(action);
      handleAck(ack);
    } catch (error) {
      saveQueue(queue().concat([action]));
      showQueued();
    }
  }

  function handleAck(ack) {
    if (ack.ok) {
      showResult(ack.result);
      refreshAttendance();
    } else {
      showResult({ admitted: false, outcome: ack.error.code, message: ack.error.message, detail: "" });
    }
  }

  async function replayQueue() {
    let items = queue();
    while (items.length && online) {
      try {
        handleAck(await send(items[0]));
      } catch (error) {
        return;
      }
      items = items.slice(1);
      saveQueue(items);
    }
  }

  function onScan(text) {
    const now = Date.now();
    if (text === lastCode.text && now - lastCode.at < SAME_CODE_PAUSE_MS) {
      return; // the camera sees the same code many times a second
    }
    lastCode = { text: text, at: now };
    perform("door.scan", { qr: text });
  }

  // Camera scanning with the vendored qr-scanner library.
  const video = root.querySelector("[data-camera]");
  const cameraBox = root.querySelector("[data-camera-box]");
  const cameraButton = root.querySelector("[data-camera-toggle]");
  let scanner = null;

  async function toggleCamera() {
    if (scanner) {
      scanner.stop();
      scanner.destroy();
      scanner = null;
      cameraBox.hidden = true;
      cameraButton.textContent = labels.camera_off;
      return;
    }
    try {
      cameraBox.hidden = false;
      scanner = new window.QrScanner(video, (found) => onScan(found.data), {
        returnDetailedScanResult: true,
        maxScansPerSecond: 10,
      });
      await scanner.start();
      cameraButton.textContent = labels.camera_on;
    } catch (error) {
      cameraBox.hidden = true;
      scanner = null;
      showResult({ admitted: false, outcome: "camera", message: labels.camera_error, detail: String(error) });
    }
  }

  cameraButton.addEventListener("click", toggleCamera);

  root.querySelector("[data-code-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    const code = input.value.trim();
    if (code) {
      perform("door.code", { code: code });
      input.value = "";
    }
  });

  // Name search and the attendance list (built with textContent only).
  function personRow(person, withAdmit) {
    const item = document.createElement("li");
    item.className = "person";
    const name = document.createElement("span");
    name.textContent = person.name;
    item.appendChild(name);
    const state = document.createElement("span");
    state.className = "badge";
    state.textContent = person.present ? labels.present : person.checked_out ? labels.left :
      person.status === "waitlisted" ? labels.waitlisted : person.walk_in ? labels.walk_in : "";
    if (state.textContent) {
      item.appendChild(state);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-quiet";
    if (person.present) {
      button.textContent = labels.check_out;
      button.setAttribute("aria-label", labels.check_out + " " + person.name);
      button.addEventListener("click", () => checkOut(person.registration_id));
      item.appendChild(button);
    } else if (withAdmit) {
      button.textContent = labels.admit;
      button.setAttribute("aria-label", labels.admit + " " + person.name);
      button.addEventListener("click", () => perform("door.admit", { registration_id: person.registration_id }));
      item.appendChild(button);
    }
    return item;
  }

  const results = root.querySelector("[data-search-results]");
  let lastQuery = "";

  root.querySelector("[data-search-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    lastQuery = event.target.querySelector("input").value;
    search();
  });

  // Also run again when attendance changes, so a shown result never offers a stale action.
  async function search() {
    if (!lastQuery.trim()) {
      results.replaceChildren();
      return;
    }
    const ack = await live.command("door.search", { meetup_id: meetupId, q: lastQuery });
    results.replaceChildren();
    if (ack.ok) {
      ack.people.forEach((person) => results.appendChild(personRow(person, true)));
      if (!ack.people.length) {
        const none = document.createElement("li");
        none.textContent = labels.no_match;
        results.appendChild(none);
      }
    }
  }

  async function checkOut(registrationId) {
    const ack = await live.command("door.checkout", { meetup_id: meetupId, registration_id: registrationId });
    if (!ack.ok) {
      showResult({ admitted: false, outcome: ack.error.code, message: ack.error.message, detail: "" });
    }
    refreshAttendance();
  }

  const list = root.querySelector("[data-attendance-list]");
  let refreshTimer = null;

  function refreshAttendance() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      const ack = await live.command("door.attendance", { meetup_id: meetupId });
      if (!ack.ok) {
        return;
      }
      Object.keys(ack.counts).forEach((key) => {
        const cell = root.querySelector('[data-count="' + key + '"]');
        if (cell) {
          cell.textContent = String(ack.counts[key]);
        }
      });
      list.replaceChildren(...ack.people.filter((p) => p.present || p.checked_out).map((p) => personRow(p, false)));
      search();
    }, 250);
  }

  // Walk-ins on/off (facilitators only; the server checks).
  const walkInsButton = root.querySelector("[data-walk-ins-toggle]");
  const walkInsState = root.querySelector("[data-walk-ins-state]");

  function showWalkIns(enabled) {
    if (!walkInsButton) {
      return;
    }
    walkInsButton.dataset.enabled = enabled ? "true" : "false";
    walkInsButton.textContent = enabled ? labels.turn_off : labels.turn_on;
    walkInsState.textContent = enabled ? labels.walk_ins_on : labels.walk_ins_off;
  }

  if (walkInsButton) {
    walkInsButton.addEventListener("click", async () => {
      const enabled = walkInsButton.dataset.enabled !== "true";
      const ack = await live.command("door.walk_ins", { meetup_id: meetupId, enabled: enabled });
      if (ack.ok) {
        showWalkIns(ack.enabled);
      }
    });
  }

  function onEvent(event) {
    if (event.type === "AttendeeCheckedIn" || event.type === "AttendeeCheckedOut" || event.type === "VotingDeviceMoved") {
      refreshAttendance();
    } else if (event.type === "WalkInsSwitched") {
      showWalkIns(event.payload.enabled);
    }
  }

  function onState(state) {
    online = state === "online";
    stateLine.textContent = labels[state] || state;
    stateLine.dataset.state = state;
    if (online) {
      replayQueue().then(refreshAttendance);
    }
  }

  const rooms = JSON.parse(root.dataset.liveRooms);
  live = new window.AssemblyLive.LiveConnection(rooms, onEvent, onState, parseInt(root.dataset.seq, 10));
  saveQueue(queue());
})();
