// The hosts' dashboard: when an outcome, a referral or a motion arrives, redraw the figures
// (the page is made from projections, so reloading it is cheap); at most once in 5 seconds.
"use strict";

(function () {
  const root = document.getElementById("house-dashboard");
  if (!root || !window.AssemblyLive) {
    return;
  }
  const REDRAW = ["OutcomeRecorded", "ProposalReferred", "ReferralDecided", "NationalMotionPublished"];
  let timer = null;
  const state = root.querySelector("[data-live-state]");
  new window.AssemblyLive.LiveConnection(JSON.parse(root.dataset.liveRooms), (event) => {
    if (REDRAW.includes(event.type) && !timer) {
      timer = setTimeout(() => window.location.reload(), 2000);
    }
  }, (s) => { state.textContent = s === "online" ? "· live" : ""; }, parseInt(root.dataset.seq, 10));
})();
