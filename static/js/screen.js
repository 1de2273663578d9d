// The projector: reloads the rotating join QR and shows the present count live.
"use strict";

(function () {
  const root = document.getElementById("screen");
  if (!root) {
    return;
  }
  const qr = root.querySelector("[data-join-qr]");
  const joinBox = root.querySelector("[data-join]");
  const present = root.querySelector("[data-present]");
  const codeUrl = root.dataset.codeUrl;
  const windowMs = parseInt(root.dataset.window, 10) * 1000;

  function refreshCode() {
    qr.src = codeUrl + "?t=" + Date.now();
  }
  setInterval(refreshCode, windowMs);

  function onEvent(event) {
    if (event.type === "AttendeeCheckedIn" || event.type === "AttendeeCheckedOut") {
      present.textContent = String(event.payload.present);
    } else if (event.type === "WalkInsSwitched") {
      joinBox.hidden = !event.payload.enabled;
      if (event.payload.enabled) {
        refreshCode();
      }
    }
  }

  const rooms = JSON.parse(root.dataset.liveRooms);
  new window.AssemblyLive.LiveConnection(rooms, onEvent, null, parseInt(root.dataset.seq, 10));
})();
