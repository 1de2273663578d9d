// The House of the People's feed (/house): follows the `house` room and, when a new outcome
// is recorded, says so in a polite live region with a link to reload. Never uses innerHTML.
"use strict";

(function () {
  const root = document.querySelector("[data-live-rooms]");
  if (!root || !window.AssemblyLive) {
    return;
  }
  const notice = root.querySelector("[data-house-notice]");
  const labels = JSON.parse(root.dataset.noticeLabels || "{}");
  let fresh = 0;

  function show() {
    const line = document.createElement("p");
    line.className = "notice";
    line.textContent =
      (fresh === 1 ? labels.one : String(labels.many).replace("{n}", String(fresh))) + " ";
    const reload = document.createElement("a");
    reload.href = window.location.pathname + window.location.search;
    reload.textContent = labels.reload;
    line.appendChild(reload);
    notice.replaceChildren(line);
  }

  function onEvent(event) {
    if (event.type === "OutcomeRecorded") {
      fresh += 1;
      show();
    }
  }

  const rooms = JSON.parse(root.dataset.liveRooms);
  const startSeq = parseInt(root.dataset.seq, 10);
  new window.AssemblyLive.LiveConnection(rooms, onEvent, null, Number.isNaN(startSeq) ? null : startSeq);
})();
