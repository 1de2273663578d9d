// The console's votes: open a vote (from a proposal or a free question), watch turnout,
// close it, or record counts from a show of hands.
"use strict";

(function () {
  const root = document.getElementById("console");
  if (!root) {
    return;
  }
  const { el, bars, turnoutText } = window.Meeting;
  const t = JSON.parse(root.dataset.labels);
  const form = root.querySelector("[data-vote-form]");
  const method = form.querySelector("#vote-method");
  const MANUAL = ["yes_no", "consent", "temperature", "single"];
  let state = null;
  // Amendment forms left open, with what was typed, by motion id: the list is redrawn at every
  // state load (a motion published elsewhere, say), and a half-written amendment must survive.
  const amendDrafts = new Map();

  function showFieldsFor() {
    form.querySelectorAll("[data-for-methods]").forEach((field) => {
      field.hidden = !field.dataset.forMethods.split(" ").includes(method.value);
    });
  }
  method.addEventListener("change", showFieldsFor);
  showFieldsFor();

  function intValue(selector) {
    return parseInt(form.querySelector(selector).value, 10);
  }

  function rule() {
    const chosen = method.value;
    if (chosen === "yes_no") {
      const [threshold, strict, base] = form.querySelector("#vote-threshold").value.split("|");
      const quorum = intValue("#vote-quorum");
      return {
        threshold: threshold, strict: strict === "strict", base: base,
        abstentions_count: form.querySelector("#vote-abstentions").checked,
        quorum: quorum > 0 ? quorum : null,
      };
    }
    const extra = { consent: { max_blocks: intValue("#vote-blocks") }, stv: { seats: intValue("#vote-seats") },
      dots: { dots: intValue("#vote-dots") }, score: { max_score: intValue("#vote-max-score") } };
    return extra[chosen] || {};
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const minutes = intValue("#vote-minutes");
    const proposal = form.querySelector("#vote-proposal").value;
    const ack = await root.meeting.run("vote.open", {
      client_id: window.AssemblyLive.newClientId(),
      question: form.querySelector("#vote-question").value,
      method: method.value,
      options: form.querySelector("#vote-options").value.split("\n").map((o) => o.trim()).filter(Boolean),
      rule: rule(),
      secret: form.querySelector("#vote-secret").checked,
      changeable: form.querySelector("#vote-changeable").checked,
      live_results: form.querySelector("#vote-live").checked,
      duration_seconds: Number.isNaN(minutes) ? null : minutes * 60,
      proposal_id: proposal ? parseInt(proposal, 10) : null,
    });
    if (ack.ok) {
      form.reset();
      form.querySelector("#vote-proposal").value = "";
      showFieldsFor();
    }
  });

  root.addEventListener("vote-on", (event) => {
    form.querySelector("#vote-question").value = event.detail.title;
    form.querySelector("#vote-proposal").value = String(event.detail.id);
    form.querySelector("#vote-question").focus();
  });

  function manualForm(vote) {
    const box = el("form", { class: "manual-counts", novalidate: true });
    box.appendChild(el("p", { class: "meta" }, t.record_counts));
    vote.options.forEach((option, n) => {
      const id = "manual-" + vote.id + "-" + n;
      const field = el("div", { class: "field field-narrow-inline" });
      field.appendChild(el("label", { for: id }, t["option_" + option] || option));
      field.appendChild(el("input", { type: "number", id: id, min: 0, value: 0, "data-option": option }));
      box.appendChild(field);
    });
    box.appendChild(el("button", { type: "submit", class: "button button-small button-quiet" }, t.record_counts));
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      const counts = {};
      box.querySelectorAll("input").forEach((input) => { counts[input.dataset.option] = parseInt(input.value, 10) || 0; });
      root.meeting.run("vote.manual", { vote_id: vote.id, counts: counts });
    });
    return box;
  }

  function voteItem(vote) {
    const item = el("li", { class: "card vote" });
    item.appendChild(el("p", { class: "meta" }, "#" + vote.id + " · " + (vote.status === "open" ? t.open : t.closed) + (vote.manual ? " · " + t.manual : "")));
    item.appendChild(el("h3", {}, vote.question));
    if (vote.status === "open") {
      item.appendChild(el("p", { "data-vote-turnout": vote.id }, turnoutText(t, vote.cast, state.present)));
      item.appendChild(el("button", { type: "button", class: "button button-small", onclick: () => root.meeting.run("vote.close", { vote_id: vote.id }) }, t.close_vote));
      if (MANUAL.includes(vote.method) && vote.cast === 0) {
        item.appendChild(manualForm(vote));
      }
    } else if (vote.result) {
      item.appendChild(el("p", { class: "result-summary" }, vote.result.summary));
      item.appendChild(bars(vote.result, t));
      item.appendChild(el("a", { href: "/v/" + vote.id }, t.ballot_box));
    }
    return item;
  }

  function drawMotions() {
    const box = root.querySelector("[data-motions-box]");
    const list = root.querySelector("[data-motions]");
    const motions = state.motions || [];
    const typingIn = root.contains(document.activeElement) ? document.activeElement.id : "";
    box.hidden = !motions.length;
    list.replaceChildren(...motions.map((motion) => {
      const item = el("li", { class: "card motion-item" });
      item.appendChild(el("h4", {}, motion.title));
      item.appendChild(el("p", { class: "proposal-body" }, motion.wording));
      item.appendChild(el("p", { class: "meta" }, t.until + " " + new Date(motion.closes_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })));
      if (motion.amends_id) {
        item.appendChild(el("p", { class: "meta" }, t.local_amendment));
      }
      item.appendChild(el("button", {
        type: "button", class: "button button-small", "aria-label": t.run_motion + ": " + motion.title,
        onclick: () => root.meeting.run("motion.run", { motion_id: motion.id, client_id: window.AssemblyLive.newClientId() }),
      }, t.run_motion));
      if (!motion.amends_id) {
        item.appendChild(amendmentForm(motion));
      }
      return item;
    }));
    if (typingIn.startsWith("amend-") && document.getElementById(typingIn)) {
      document.getElementById(typingIn).focus(); // the redraw replaced the field being typed in
    }
  }

  // A local amendment: the facilitator rewrites the wording; it becomes a separate motion.
  function amendmentForm(motion) {
    const fieldId = "amend-" + motion.id;
    const draft = amendDrafts.get(motion.id);
    const wording = el("textarea", { id: fieldId, rows: "4", maxlength: "4000" }, draft === undefined ? motion.wording : draft);
    wording.addEventListener("input", () => amendDrafts.set(motion.id, wording.value));
    const field = el("div", { class: "field" });
    field.append(el("label", { for: fieldId }, t.amended_wording), wording);
    const form = el("form", { class: "amend-motion", hidden: draft === undefined });
    form.append(field, el("button", { type: "submit", class: "button button-small" }, t.propose_amendment));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await root.meeting.run("motion.amend", { motion_id: motion.id, wording: wording.value });
      if (ack.ok) {
        amendDrafts.delete(motion.id);
        form.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
      }
    });
    const toggle = el("button", {
      type: "button", class: "button button-small button-quiet", "aria-expanded": String(!form.hidden),
      "aria-label": t.amend_motion + ": " + motion.title,
      onclick: () => {
        form.hidden = !form.hidden;
        toggle.setAttribute("aria-expanded", String(!form.hidden));
        if (form.hidden) {
          amendDrafts.delete(motion.id);
        } else {
          amendDrafts.set(motion.id, wording.value);
        }
      },
    }, t.amend_motion);
    const box = el("div");
    box.append(toggle, form);
    return box;
  }

  root.addEventListener("meeting-state", (event) => {
    state = event.detail;
    drawMotions();
    const list = root.querySelector("[data-votes]");
    list.replaceChildren(...state.votes.map(voteItem));
    if (!state.votes.length) {
      list.appendChild(el("li", { class: "meta" }, t.no_votes));
    }
  });

  root.addEventListener("turnout", (event) => {
    const line = root.querySelector('[data-vote-turnout="' + event.detail.vote_id + '"]');
    if (line) {
      line.textContent = turnoutText(t, event.detail.cast, event.detail.present);
    }
  });
})();
