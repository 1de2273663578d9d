// The facilitator's console: agenda with timers, moderation, decision order, speaking queue.
"use strict";

(function () {
  const root = document.getElementById("console");
  if (!root) {
    return;
  }
  const { el, remaining, follow } = window.Meeting;
  const t = JSON.parse(root.dataset.labels);
  const status = root.querySelector("[data-console-status]");
  let state = null;

  async function run(command, data) {
    const ack = await connection.live.command(command, Object.assign({ meetup_id: connection.meetupId }, data || {}));
    status.textContent = ack.ok ? "" : ack.error.message;
    return ack;
  }

  function button(label, onclick, quiet, ariaLabel) {
    return el("button", { type: "button", class: "button button-small" + (quiet ? " button-quiet" : ""), "aria-label": ariaLabel, onclick: onclick }, label);
  }

  function renderAgenda() {
    const list = root.querySelector("[data-agenda]");
    list.replaceChildren();
    state.agenda.forEach((item) => {
      const row = el("li", { class: "agenda-item agenda-" + item.state });
      row.appendChild(el("span", { class: "agenda-title" }, item.title + " (" + item.duration_minutes + " min)"));
      if (item.state === "running") {
        row.appendChild(el("span", { class: "timer", "data-timer": "", "data-started": item.started_at, "data-minutes": item.duration_minutes }, remaining(item.started_at, item.duration_minutes)));
        row.appendChild(button(t.finish, () => run("agenda.finish", { item_id: item.id }), false, t.finish + ": " + item.title));
      } else {
        if (item.state === "done") {
          row.appendChild(el("span", { class: "badge" }, t.done));
        }
        row.appendChild(button(t.start, () => run("agenda.start", { item_id: item.id }), true, t.start + ": " + item.title));
      }
      row.appendChild(button("↑", () => run("agenda.move", { item_id: item.id, offset: -1 }), true, t.up + ": " + item.title));
      row.appendChild(button("↓", () => run("agenda.move", { item_id: item.id, offset: 1 }), true, t.down + ": " + item.title));
      list.appendChild(row);
    });
  }

  function mergeControl(proposal) {
    const wrap = el("span", { class: "merge" });
    const id = "merge-" + proposal.id;
    wrap.appendChild(el("label", { for: id, class: "visually-hidden" }, t.merge + " " + proposal.title));
    const select = el("select", { id: id });
    select.appendChild(el("option", { value: "" }, t.merge));
    state.proposals.concat(state.moderation).filter((other) => other.id !== proposal.id && !other.parent_id)
      .forEach((other) => select.appendChild(el("option", { value: other.id }, "#" + other.id + " " + other.title)));
    wrap.appendChild(select);
    wrap.appendChild(button(t.merge_go, () => {
      if (select.value) {
        run("proposal.merge", { proposal_id: proposal.id, into_id: parseInt(select.value, 10) });
      }
    }, true, t.merge_go + ": " + proposal.title));
    return wrap;
  }

  function renderModeration() {
    const list = root.querySelector("[data-moderation]");
    list.replaceChildren();
    if (!state.moderation.length) {
      list.appendChild(el("li", { class: "meta" }, t.nothing));
    }
    state.moderation.forEach((proposal) => {
      const item = el("li", { class: "card proposal" });
      const parent = state.proposals.find((p) => p.id === proposal.parent_id);
      item.appendChild(el("p", { class: "meta" }, "#" + proposal.id + (parent ? " · " + t.amendment_of + " #" + parent.id + " " + parent.title : "")));
      item.appendChild(el("h3", {}, proposal.title));
      if (proposal.body) {
        item.appendChild(el("p", { class: "proposal-body" }, proposal.body));
      }
      const actions = el("div", { class: "proposal-actions" });
      actions.appendChild(button(t.accept, () => run("proposal.accept", { proposal_id: proposal.id }), false, t.accept + ": " + proposal.title));
      const reasonId = "reason-" + proposal.id;
      actions.appendChild(el("label", { for: reasonId, class: "visually-hidden" }, t.reason + ": " + proposal.title));
      const reason = el("input", { type: "text", id: reasonId, placeholder: t.reason, maxlength: 300 });
      actions.appendChild(reason);
      actions.appendChild(button(t.return, () => run("proposal.return", { proposal_id: proposal.id, reason: reason.value }), true, t.return + ": " + proposal.title));
      actions.appendChild(button(t.hide, () => run("proposal.hide", { proposal_id: proposal.id }), true, t.hide + ": " + proposal.title));
      actions.appendChild(mergeControl(proposal));
      item.appendChild(actions);
      list.appendChild(item);
    });
  }

  function renderProposals() {
    const list = root.querySelector("[data-proposals]");
    list.replaceChildren();
    if (!state.proposals.length) {
      list.appendChild(el("li", { class: "meta" }, t.no_proposals));
    }
    const parentSelect = root.querySelector("#fac-parent");
    const chosen = parentSelect.value;
    parentSelect.replaceChildren(parentSelect.options[0]);
    state.proposals.forEach((proposal) => {
      const discussed = proposal.id === state.discussing;
      const item = el("li", { class: "card proposal" + (proposal.parent_id ? " amendment" : "") + (discussed ? " is-discussed" : "") });
      item.appendChild(el("p", { class: "meta" }, "#" + proposal.id + (proposal.parent_id ? " · " + t.amendment_of + " #" + proposal.parent_id : "") + (discussed ? " · " + t.discussing : "")));
      item.appendChild(el("h3", {}, proposal.title));
      if (proposal.body) {
        item.appendChild(el("p", { class: "proposal-body" }, proposal.body));
      }
      const actions = el("div", { class: "proposal-actions" });
      actions.appendChild(el("span", { class: "supports", "data-supports": proposal.id }, t.supports + " " + proposal.supports));
      actions.appendChild(discussed
        ? button(t.stop_discussing, () => run("proposal.discuss", { proposal_id: null }), true)
        : button(t.discuss, () => run("proposal.discuss", { proposal_id: proposal.id }), false, t.discuss + ": " + proposal.title));
      actions.appendChild(button(t.hide, () => run("proposal.hide", { proposal_id: proposal.id }), true, t.hide + ": " + proposal.title));
      actions.appendChild(button(t.vote_on, () => root.dispatchEvent(new CustomEvent("vote-on", { detail: proposal })), true, t.vote_on + ": " + proposal.title));
      item.appendChild(actions);
      list.appendChild(item);
      if (!proposal.parent_id) {
        parentSelect.appendChild(el("option", { value: proposal.id }, "#" + proposal.id + " " + proposal.title));
      }
    });
    parentSelect.value = chosen;
  }

  function renderQueue() {
    const list = root.querySelector("[data-queue]");
    list.replaceChildren();
    state.queue.names.forEach((name) => list.appendChild(el("li", {}, name)));
    if (!state.queue.names.length) {
      list.appendChild(el("li", { class: "meta" }, t.empty_queue));
    }
    root.querySelector("[data-speaking]").textContent = state.queue.speaking ? t.speaking + " " + state.queue.speaking : "";
  }

  function renderCounts() {
    Object.entries(state.signals).forEach(([kind, count]) => {
      root.querySelector('[data-signal-count="' + kind + '"]').textContent = String(count);
    });
    root.querySelector("[data-present]").textContent = String(state.present);
  }

  function render(newState) {
    state = newState;
    root.dispatchEvent(new CustomEvent("meeting-state", { detail: state }));
    renderAgenda();
    renderModeration();
    renderProposals();
    renderQueue();
    renderCounts();
  }

  function onCount(event) {
    if (!state) {
      return false;
    }
    if (event.type === "SupportChanged") {
      const badge = root.querySelector('[data-supports="' + event.payload.proposal_id + '"]');
      if (badge) {
        badge.textContent = t.supports + " " + event.payload.supports;
      }
      return true;
    }
    if (event.type === "SignalsChanged") {
      state.signals = { agree: event.payload.agree, clarify: event.payload.clarify, process: event.payload.process };
      renderCounts();
      return true;
    }
    if (event.type === "AttendeeCheckedIn" || event.type === "AttendeeCheckedOut") {
      state.present = event.payload.present;
      renderCounts();
      return true;
    }
    return event.type === "BallotCast";
  }

  root.querySelector("[data-agenda-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const titleInput = root.querySelector("#item-title");
    const ack = await run("agenda.add", { title: titleInput.value, minutes: parseInt(root.querySelector("#item-minutes").value, 10) || 10 });
    if (ack.ok) {
      titleInput.value = "";
    }
  });

  root.querySelector("[data-standard-agenda]").addEventListener("click", async (event) => {
    for (const [title, minutes] of JSON.parse(event.target.dataset.items)) {
      await run("agenda.add", { title: title, minutes: minutes });
    }
  });

  root.querySelector("[data-facilitator-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const parent = root.querySelector("#fac-parent").value;
    const ack = await run("proposal.submit", {
      client_id: window.AssemblyLive.newClientId(),
      title: root.querySelector("#fac-title").value,
      body: root.querySelector("#fac-body").value,
      parent_id: parent ? parseInt(parent, 10) : null,
      as_facilitator: true,
    });
    if (ack.ok) {
      root.querySelector("#fac-title").value = "";
      root.querySelector("#fac-body").value = "";
    }
  });

  root.querySelector("[data-next]").addEventListener("click", () => run("queue.next"));
  root.querySelector("[data-clear-queue]").addEventListener("click", () => run("queue.clear"));
  root.querySelector("[data-clear-signals]").addEventListener("click", () => run("signals.clear"));

  setInterval(() => {
    root.querySelectorAll("[data-timer]").forEach((node) => {
      node.textContent = remaining(node.dataset.started, parseInt(node.dataset.minutes, 10));
    });
  }, 1000);

  const connection = follow(root, render, onCount, (message) => root.dispatchEvent(new CustomEvent("turnout", { detail: message })));
  root.meeting = { run: run, connection: connection };
})();
