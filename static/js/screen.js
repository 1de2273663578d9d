// The projector: the rotating join QR, the running agenda item and its timer, the proposal
// being discussed, the speaking queue, hand signals and the present count, all live.
"use strict";

(function () {
  const root = document.getElementById("screen");
  if (!root) {
    return;
  }
  const { el, remaining, follow, turnoutText, bars } = window.Meeting;
  const t = JSON.parse(root.dataset.labels);
  const qr = root.querySelector("[data-join-qr]");
  const joinBox = root.querySelector("[data-join]");
  const present = root.querySelector("[data-present]");
  const codeUrl = root.dataset.codeUrl;
  const windowMs = parseInt(root.dataset.window, 10) * 1000;
  let running = null;
  let openVote = null;
  let presentCount = 0;

  function refreshCode() {
    qr.src = codeUrl + "?t=" + Date.now();
  }
  setInterval(refreshCode, windowMs);

  function showSignals(signals) {
    root.querySelector("[data-signals]").textContent =
      t.agree + " " + signals.agree + " · " + t.clarify + " " + signals.clarify + " · " + t.process + " " + signals.process;
  }

  function showQueue(waiting) {
    root.querySelector("[data-queue-line]").textContent = t.waiting.replace("{num}", waiting);
  }

  function render(state) {
    running = state.agenda.find((item) => item.state === "running") || null;
    root.querySelector("[data-item]").textContent = running ? running.title : "";
    tick();
    const discussed = state.proposals.find((p) => p.id === state.discussing);
    root.querySelector("[data-discussing]").hidden = !discussed;
    root.querySelector("[data-discussing-title]").textContent = discussed ? discussed.title : "";
    root.querySelector("[data-discussing-body]").textContent = discussed ? discussed.body : "";
    present.textContent = String(state.present);
    presentCount = state.present;
    showQueue(state.queue.waiting);
    showSignals(state.signals);
    showVote(state.votes);
  }

  function showVote(votes) {
    const box = root.querySelector("[data-vote]");
    openVote = votes.find((vote) => vote.status === "open") || null;
    const shown = openVote || votes[0];
    box.hidden = !shown;
    root.classList.toggle("has-vote", Boolean(shown));
    if (!shown) {
      return;
    }
    root.querySelector("[data-vote-label]").textContent = openVote ? t.vote_now : "";
    root.querySelector("[data-vote-question]").textContent = shown.question;
    root.querySelector("[data-vote-turnout]").textContent = openVote ? turnoutText(t, shown.cast, presentCount) : "";
    root.querySelector("[data-vote-result]").textContent = openVote ? "" : (shown.result ? shown.result.summary : "");
    root.querySelector("[data-vote-bars]").replaceChildren(...(!openVote && shown.result ? [bars(shown.result, t)] : []));
    const rounds = root.querySelector("[data-vote-rounds]");
    rounds.replaceChildren();
    if (!openVote && shown.result && ["irv", "stv"].includes(shown.method)) {
      (shown.result.rounds || []).forEach((round, n) => {
        const counts = Object.entries(round.counts || {}).map(([option, count]) => option + " " + count).join(", ");
        const elected = [].concat(round.elected || []); // irv: one name; stv: a list
        const outcome = round.eliminated ? " · " + round.eliminated + " " + t.eliminated : (elected.length ? " · " + elected.join(", ") + " " + t.elected : "");
        rounds.appendChild(el("li", {}, t.round + " " + (n + 1) + ": " + counts + outcome));
      });
    }
    tickVote();
  }

  function tickVote() {
    root.querySelector("[data-vote-timer]").textContent =
      openVote && openVote.closes_at ? remaining(openVote.closes_at, 0) : "";
  }
  setInterval(tickVote, 1000);

  function onTurnout(message) {
    if (openVote && message.vote_id === openVote.id) {
      presentCount = message.present;
      root.querySelector("[data-vote-turnout]").textContent = turnoutText(t, message.cast, message.present);
    }
  }

  function tick() {
    root.querySelector("[data-timer-box]").textContent = running ? remaining(running.started_at, running.duration_minutes) : "";
  }
  setInterval(tick, 1000);

  function onCount(event) {
    if (event.type === "AttendeeCheckedIn" || event.type === "AttendeeCheckedOut") {
      present.textContent = String(event.payload.present);
      return true;
    }
    if (event.type === "SignalsChanged") {
      showSignals(event.payload);
      return true;
    }
    if (event.type === "SpeakingQueueChanged") {
      showQueue(event.payload.waiting);
      return true;
    }
    return event.type === "SupportChanged";
  }

  function onWalkIns(event) {
    joinBox.hidden = !event.payload.enabled;
    if (event.payload.enabled) {
      refreshCode();
    }
  }

  // WalkInsSwitched is structural for the screen: handle it, then let follow() reload.
  const connection = follow(root, render, (event) => {
    if (event.type === "WalkInsSwitched") {
      onWalkIns(event);
      return true;
    }
    return onCount(event) || event.type === "BallotCast";
  }, onTurnout);
  void connection;
})();
