// A national motion's page: when an assembly's result on this motion (or on one of its local
// amendments) is recorded, or an amendment is proposed, the page reloads its results (the page is made from the national projection, so it is cheap).
"use strict";

(function () {
  const root = document.getElementById("motion-page");
  if (!root || !window.AssemblyLive) {
    return;
  }
  const motionId = parseInt(root.dataset.motionId, 10);
  const shown = [motionId].concat(JSON.parse(root.dataset.amendmentIds || "[]"));
  const rooms = JSON.parse(root.dataset.liveRooms);
  new window.AssemblyLive.LiveConnection(rooms, (event) => {
    const ours = event.type === "OutcomeRecorded" && shown.includes(event.payload.motion_id);
    const newAmendment = event.type === "LocalAmendmentProposed" && event.payload.amends_id === motionId;
    if (ours || newAmendment) {
      // Give the national projection a moment to take the outcome in, then redraw.
      setTimeout(() => window.location.reload(), 1500);
    }
  }, null, parseInt(root.dataset.seq, 10));
})();
