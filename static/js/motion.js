// A national motion's page: when an assembly's result on this motion is recorded, the page
// reloads its results (the page is made from the national projection, so it is cheap).
"use strict";

(function () {
  const root = document.getElementById("motion-page");
  if (!root || !window.AssemblyLive) {
    return;
  }
  const motionId = parseInt(root.dataset.motionId, 10);
  const rooms = JSON.parse(root.dataset.liveRooms);
  new window.AssemblyLive.LiveConnection(rooms, (event) => {
    if (event.type === "OutcomeRecorded" && event.payload.motion_id === motionId) {
      // Give the national projection a moment to take the outcome in, then redraw.
      setTimeout(() => window.location.reload(), 1500);
    }
  }, null, parseInt(root.dataset.seq, 10));
})();
