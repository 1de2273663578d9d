// The attendee's phone: agenda and timer, proposals with supports, submitting proposals and
// amendments (drafts survive reloads and dropped connections), the speaking queue and signals.
"use strict";

(function () {
  const root = document.getElementById("phone");
  if (!root) {
    return;
  }
  const { el, remaining, follow } = window.Meeting;
  const t = JSON.parse(root.dataset.labels);
  const DRAFT_KEY = "proposal-draft-" + root.dataset.meetupId;
  const OUTBOX_KEY = "proposal-outbox-" + root.dataset.meetupId;
  const form = root.querySelector("[data-proposal-form]");
  const title = form.querySelector("[name=title]");
  const body = form.querySelector("[name=body]");
  const parentField = form.querySelector("[name=parent_id]");
  const amendNote = form.querySelector("[data-amend-note]");
  const formStatus = form.querySelector("[data-form-status]");
  let state = null;
  let me = null;

  // Drafts: whatever is typed is kept, so no update, reload or lost signal wipes it.
  function saveDraft() {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ title: title.value, body: body.value, parent: parentField.value }));
  }
  function loadDraft() {
    const draft = JSON.parse(localStorage.getItem(DRAFT_KEY) || "{}");
    title.value = draft.title || "";
    body.value = draft.body || "";
    setParent(draft.parent || "");
  }
  [title, body].forEach((input) => input.addEventListener("input", saveDraft));

  function setParent(parentId, parentTitle) {
    parentField.value = parentId || "";
    amendNote.hidden = !parentId;
    amendNote.querySelector("[data-amend-title]").textContent = parentTitle || amendNote.dataset.title || "";
    amendNote.dataset.title = parentTitle || amendNote.dataset.title || "";
  }
  amendNote.querySelector("button").addEventListener("click", () => { setParent(""); saveDraft(); });

  function outbox() {
    return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
  }

  async function sendOutbox() {
    let items = outbox();
    while (items.length) {
      const ack = await connection.live.command("proposal.submit", items[0]);
      if (!ack.ok && ack.error.code === "timeout") {
        return;
      }
      formStatus.textContent = ack.ok ? t.sent : ack.error.message;
      items = items.slice(1);
      localStorage.setItem(OUTBOX_KEY, JSON.stringify(items));
      if (ack.ok) {
        connection.reload(); // the crew alone hear of submissions: show it in "Your proposals"
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const command = {
      meetup_id: connection.meetupId,
      client_id: window.AssemblyLive.newClientId(),
      title: title.value,
      body: body.value,
      parent_id: parentField.value ? parseInt(parentField.value, 10) : null,
    };
    const ack = await connection.live.command("proposal.submit", command);
    if (!ack.ok && ack.error.code === "timeout") {
      localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox().concat([command])));
      formStatus.textContent = t.queued;
    } else if (!ack.ok) {
      formStatus.textContent = ack.error.message;
      return; // keep the text so it can be fixed
    } else {
      formStatus.textContent = t.sent;
      setTimeout(() => {
        if (formStatus.textContent === t.sent) {
          formStatus.textContent = "";
        }
      }, 6000);
      connection.reload(); // the crew alone hear of submissions: show it in "Your proposals"
    }
    title.value = "";
    body.value = "";
    setParent("");
    saveDraft();
  });

  // Rendering of the state.
  function renderNow() {
    const box = root.querySelector("[data-now]");
    const running = state.agenda.find((item) => item.state === "running");
    box.replaceChildren();
    if (running) {
      box.appendChild(el("p", { class: "now-title" }, running.title));
      box.appendChild(el("p", { class: "timer", "data-timer": "", "data-started": running.started_at, "data-minutes": running.duration_minutes }, remaining(running.started_at, running.duration_minutes)));
    } else {
      box.appendChild(el("p", {}, t.no_item));
    }
    const discussing = state.proposals.find((p) => p.id === state.discussing);
    if (discussing) {
      box.appendChild(el("p", { class: "discussing" }, t.discussing + " " + discussing.title));
    }
    if (state.agenda.length) {
      const list = el("ol", { class: "phone-agenda", "aria-label": t.agenda });
      state.agenda.forEach((item) => {
        list.appendChild(el("li", { class: "agenda-" + item.state }, item.title + " (" + item.duration_minutes + " min)" + (item.state === "running" ? " · " + t.now_running : "")));
      });
      box.appendChild(list);
    }
  }

  function supportButton(proposal) {
    return el("button", {
      type: "button",
      class: "button button-small" + (proposal.supported ? "" : " button-quiet"),
      "aria-pressed": proposal.supported ? "true" : "false",
      "aria-label": (proposal.supported ? t.withdraw : t.support) + ": " + proposal.title,
      onclick: async () => {
        const ack = await connection.live.command("proposal.support", { meetup_id: connection.meetupId, proposal_id: proposal.id, on: !proposal.supported });
        if (ack.ok) {
          proposal.supported = !proposal.supported;
          proposal.supports = ack.supports;
          renderProposals();
        } else {
          formStatus.textContent = ack.error.message;
        }
      },
    }, proposal.supported ? t.supported : t.support);
  }

  function renderProposals() {
    const list = root.querySelector("[data-proposals]");
    list.replaceChildren();
    if (!state.proposals.length) {
      list.appendChild(el("li", { class: "meta" }, t.no_proposals));
    }
    state.proposals.forEach((proposal, index) => {
      const item = el("li", { class: "card proposal" + (proposal.parent_id ? " amendment" : "") + (proposal.id === state.discussing ? " is-discussed" : ""), "data-proposal-id": proposal.id });
      item.appendChild(el("p", { class: "meta" }, (index + 1) + ". " + (proposal.parent_id ? t.amendment : t.proposal)));
      item.appendChild(el("h3", {}, proposal.title));
      if (proposal.body) {
        item.appendChild(el("p", { class: "proposal-body" }, proposal.body));
      }
      const actions = el("div", { class: "proposal-actions" });
      actions.appendChild(el("span", { class: "supports", "data-supports": proposal.id }, t.supports + " " + proposal.supports));
      if (state.checked_in) {
        actions.appendChild(supportButton(proposal));
        if (!proposal.parent_id) {
          actions.appendChild(el("button", {
            type: "button", class: "button button-small button-quiet", "aria-label": t.amend + ": " + proposal.title,
            onclick: () => { setParent(String(proposal.id), proposal.title); saveDraft(); title.focus(); },
          }, t.amend));
        }
      }
      item.appendChild(actions);
      list.appendChild(item);
    });
  }

  function renderMine() {
    const list = root.querySelector("[data-mine]");
    list.replaceChildren();
    (state.mine || []).forEach((proposal) => {
      const line = el("li", {});
      line.appendChild(el("strong", {}, proposal.title));
      line.appendChild(document.createTextNode(" · " + (t["status_" + proposal.status] || proposal.status)));
      if (proposal.reason) {
        line.appendChild(el("span", { class: "reason" }, " · " + t.reason + " " + proposal.reason));
      }
      list.appendChild(line);
    });
    root.querySelector("[data-mine-box]").hidden = !(state.mine || []).length;
  }

  function renderQueue() {
    const hand = root.querySelector("[data-hand]");
    const up = state.queue.position !== null;
    hand.setAttribute("aria-pressed", up ? "true" : "false");
    hand.textContent = up ? t.lower_hand : t.raise_hand;
    let text = t.waiting.replace("{num}", state.queue.waiting);
    if (up) {
      text = t.your_place.replace("{num}", state.queue.position) + " · " + text;
    }
    if (state.queue.speaking_is_me) {
      text = t.your_turn;
    }
    root.querySelector("[data-queue]").textContent = text;
  }

  function renderSignals() {
    root.querySelectorAll("[data-signal]").forEach((button) => {
      const kind = button.dataset.signal;
      button.querySelector("[data-count]").textContent = String(state.signals[kind]);
    });
  }

  // Votes: a ballot form per open vote, drawn again only when that vote changes, so a
  // half-made choice is not wiped by unrelated updates.
  const drawnVotes = {};

  function castSoFar(count) {
    return count === 1 ? t.cast_so_far_one : t.cast_so_far.replace("{num}", count);
  }

  function voteKey(vote) {
    return [vote.status, vote.my_receipt, JSON.stringify(vote.result && vote.result.summary)].join("|");
  }

  function receiptNote(vote) {
    const note = el("div", { class: "receipt", role: "status" });
    note.appendChild(el("p", { class: "ticket-headline" }, t.vote_in));
    const line = el("p", {});
    line.appendChild(document.createTextNode(t.receipt + " "));
    line.appendChild(el("strong", { class: "receipt-code" }, vote.my_receipt));
    note.appendChild(line);
    note.appendChild(el("p", { class: "meta" }, t.receipt_means));
    if (vote.changeable && vote.status === "open") {
      note.appendChild(el("p", { class: "meta" }, t.can_change));
    }
    return note;
  }

  function voteCard(vote) {
    const card = el("section", { class: "card vote", "data-vote-id": vote.id, "aria-label": vote.question });
    card.appendChild(el("p", { class: "meta" }, (vote.secret ? t.secret : t.named) + (vote.closes_at ? " · " + t.closes + " " + new Date(vote.closes_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }) : "")));
    card.appendChild(el("h3", {}, vote.question));
    if (vote.text) {
      card.appendChild(el("p", { class: "proposal-body" }, vote.text));
    }
    if (vote.status === "open") {
      card.appendChild(el("p", { class: "meta", "data-turnout": vote.id }, castSoFar(vote.cast)));
      if (vote.my_receipt) {
        card.appendChild(receiptNote(vote));
      }
      if (state.checked_in && (!vote.my_receipt || vote.changeable)) {
        card.appendChild(window.Ballots.ballotForm(vote, t, (ballot) => cast(vote, ballot)));
      }
      card.appendChild(el("p", { class: "error", "data-vote-error": vote.id, "aria-live": "assertive" }));
    } else if (vote.result) {
      card.appendChild(el("p", { class: "result-summary" }, vote.result.summary));
      card.appendChild(window.Meeting.bars(vote.result, t));
      if (vote.my_receipt) {
        card.appendChild(el("p", { class: "meta" }, t.check_receipt.replace("{receipt}", vote.my_receipt)));
      }
      const query = vote.my_receipt ? "?receipt=" + encodeURIComponent(vote.my_receipt) : "";
      card.appendChild(el("a", { href: "/v/" + vote.id + query }, t.ballot_box));
    }
    return card;
  }

  let pendingCast = null; // a cast that got no answer: sent again, same id, when back online

  async function cast(vote, ballot, clientId) {
    const command = { vote_id: vote.id, ballot: ballot, client_id: clientId || window.AssemblyLive.newClientId() };
    const ack = await connection.live.command("vote.cast", command);
    const error = root.querySelector('[data-vote-error="' + vote.id + '"]');
    if (!ack.ok && ack.error.code === "timeout") {
      pendingCast = { vote: vote, ballot: ballot, clientId: command.client_id };
      if (error) {
        error.textContent = t.cast_pending;
      }
      return;
    }
    pendingCast = null;
    if (!ack.ok) {
      if (error) {
        error.textContent = ack.error.message;
      }
      return;
    }
    // The state may have been reloaded since this form was drawn: record it in the current one.
    const current = state.votes.find((v) => v.id === vote.id) || vote;
    current.my_receipt = ack.receipt;
    current.my_ballot = ballot;
    drawVotes(true);
  }

  function drawVotes(force) {
    const box = root.querySelector("[data-votes]");
    const shown = state.votes.filter((v) => v.status === "open").concat(state.votes.filter((v) => v.status !== "open").slice(0, 2));
    const keys = shown.map((v) => v.id + ":" + voteKey(v)).join(",");
    if (!force && keys === drawnVotes.keys) {
      return;
    }
    drawnVotes.keys = keys;
    box.replaceChildren(...shown.map(voteCard));
    root.querySelector("[data-votes-box]").hidden = !shown.length;
  }

  function onTurnout(message) {
    const vote = state && state.votes.find((v) => v.id === message.vote_id);
    if (vote) {
      vote.cast = message.cast; // kept for the next redraw (after casting, say)
    }
    const line = root.querySelector('[data-turnout="' + message.vote_id + '"]');
    if (line) {
      line.textContent = castSoFar(message.cast);
    }
  }

  function render(newState, myId) {
    state = newState;
    if (myId && myId !== me) {
      me = myId;
      connection.live.addRoom("registration:" + me);
    }
    root.querySelector("[data-not-checked-in]").hidden = state.checked_in;
    root.querySelectorAll("[data-attendee-only]").forEach((node) => { node.hidden = !state.checked_in; });
    renderNow();
    renderProposals();
    renderMine();
    renderQueue();
    renderSignals();
    drawVotes(false);
  }

  function onCount(event) {
    if (!state) {
      return false;
    }
    if (event.type === "SupportChanged") {
      const proposal = state.proposals.find((p) => p.id === event.payload.proposal_id);
      if (proposal) {
        proposal.supports = event.payload.supports;
        const badge = root.querySelector('[data-supports="' + proposal.id + '"]');
        if (badge) {
          badge.textContent = t.supports + " " + proposal.supports;
        }
      }
      return true;
    }
    if (event.type === "SignalsChanged") {
      state.signals = { agree: event.payload.agree, clarify: event.payload.clarify, process: event.payload.process };
      renderSignals();
      return true;
    }
    if (event.type === "BallotCast") {
      return true; // turnout arrives coalesced, separately
    }
    if (["VoteOpened", "VoteClosed", "OutcomeRecorded"].includes(event.type)) {
      applyVoteEvent(event);
      drawVotes(false);
      return true;
    }
    return false; // queue changes move my place: reload
  }

  // A vote opened or closed: the event carries all the phone shows (no reload of the state).
  function applyVoteEvent(event) {
    const payload = event.payload;
    let vote = state.votes.find((v) => v.id === payload.vote_id);
    if (event.type === "VoteOpened" && !vote) {
      vote = {
        id: payload.vote_id, question: payload.question, text: payload.text || null, method: payload.method, options: payload.options,
        rule: payload.rule, secret: payload.secret, changeable: payload.changeable, live_results: payload.live_results,
        status: "open", closes_at: payload.closes_at, cast: 0, my_receipt: null, my_ballot: null, result: null, manual: false,
      };
      state.votes.unshift(vote);
    } else if (vote && event.type === "VoteClosed") {
      Object.assign(vote, { status: "closed", cast: payload.ballots_cast, manual: payload.manual });
    } else if (vote && event.type === "OutcomeRecorded") {
      Object.assign(vote, { status: "closed", result: payload.result });
    }
  }

  root.querySelector("[data-hand]").addEventListener("click", async () => {
    const up = state.queue.position === null;
    const ack = await connection.live.command("hand.raise", { meetup_id: connection.meetupId, up: up });
    if (!ack.ok) {
      formStatus.textContent = ack.error.message;
    }
  });

  root.querySelectorAll("[data-signal]").forEach((button) => {
    button.addEventListener("click", async () => {
      const up = button.getAttribute("aria-pressed") !== "true";
      const ack = await connection.live.command("signal.set", { meetup_id: connection.meetupId, kind: button.dataset.signal, up: up });
      if (ack.ok) {
        button.setAttribute("aria-pressed", up ? "true" : "false");
        state.signals = ack.signals;
        renderSignals();
      }
    });
  });

  setInterval(() => {
    root.querySelectorAll("[data-timer]").forEach((node) => {
      node.textContent = remaining(node.dataset.started, parseInt(node.dataset.minutes, 10));
    });
  }, 1000);

  loadDraft();
  root.onOnline = () => {
    sendOutbox();
    if (pendingCast) {
      cast(pendingCast.vote, pendingCast.ballot, pendingCast.clientId);
    }
  };
  const connection = follow(root, render, onCount, onTurnout);
})();
