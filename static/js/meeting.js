// Shared helpers of the live-meeting screens: safe element building, timers, the state loader.
"use strict";

(function (global) {
  /** Build an element; text is always set with textContent (never parsed as HTML). */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "dataset") {
        Object.assign(node.dataset, value);
      } else if (name.startsWith("on")) {
        node.addEventListener(name.slice(2), value);
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /** "mm:ss" left of an item started at `startedAt` lasting `minutes` (negative: overrun). */
  function remaining(startedAt, minutes) {
    const left = Math.round((Date.parse(startedAt) + minutes * 60000 - Date.now()) / 1000);
    const sign = left < 0 ? "-" : "";
    const abs = Math.abs(left);
    return sign + Math.floor(abs / 60) + ":" + String(abs % 60).padStart(2, "0");
  }

  /**
   * Keep a meeting screen up to date: load the state on connect and after structural events
   * (debounced), and pass count events straight to `onCount` so busy rooms do not reload.
   */
  function follow(root, render, onCount, onTurnout) {
    const meetupId = parseInt(root.dataset.meetupId, 10);
    const rooms = JSON.parse(root.dataset.liveRooms);
    // Events a page may apply to its state itself (onCount returns true) instead of reloading
    // it: counts, and for phones the opening and closing of votes, so that a hall of 2,000
    // phones does not ask for the whole state at once when a vote opens.
    const COUNT_EVENTS = ["SupportChanged", "BallotCast", "SpeakingQueueChanged", "SignalsChanged",
      "AttendeeCheckedIn", "AttendeeCheckedOut", "WalkInsSwitched", // the projector shows or hides its join QR
      "VoteOpened", "VoteClosed", "OutcomeRecorded"];
    let timer = null;
    let live = null;

    function reload() {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const ack = await live.command("meeting.state", { meetup_id: meetupId });
        if (ack.ok) {
          render(ack.state, ack.me);
        }
      }, 150 + Math.random() * 250);
    }

    function onEvent(event) {
      if (COUNT_EVENTS.includes(event.type) && onCount && onCount(event)) {
        return;
      }
      reload();
    }

    function onState(state) {
      const line = root.querySelector("[data-live-state]");
      if (line) {
        const labels = JSON.parse(root.dataset.stateLabels || "{}");
        line.textContent = labels[state] || state;
        line.dataset.state = state;
      }
      if (state === "online") {
        reload();
        if (root.onOnline) {
          root.onOnline();
        }
      }
    }

    live = new global.AssemblyLive.LiveConnection(rooms, onEvent, onState, parseInt(root.dataset.seq, 10));
    live.onTurnout = onTurnout || null;
    return { live: live, meetupId: meetupId, reload: reload };
  }

  /** "n of m present (p%)". */
  function turnoutText(t, cast, present) {
    const share = present ? Math.round((cast * 100) / present) : 0;
    return t.turnout.replace("{cast}", cast).replace("{present}", present).replace("{share}", share);
  }

  /** A count as a number: counts may be integers or exact fractions written "p/q". */
  function countValue(value) {
    const text = String(value);
    if (text.includes("/")) {
      const [top, bottom] = text.split("/");
      return parseFloat(top) / parseFloat(bottom);
    }
    return parseFloat(text) || 0;
  }

  /** Horizontal bars for a result's counts (a chart that needs no library). */
  function bars(result, t) {
    const list = el("ul", { class: "plain-list bars", "aria-label": t.counts });
    const entries = Object.entries(result.counts || {});
    const highest = Math.max(1e-9, ...entries.map(([, value]) => countValue(value)));
    entries.forEach(([option, value]) => {
      const row = el("li", { class: "bar-row" });
      const shown = Number.isInteger(countValue(value)) ? String(countValue(value)) : countValue(value).toFixed(2);
      row.appendChild(el("span", { class: "bar-label" }, (t["option_" + option] || option) + ": " + shown));
      const bar = el("span", { class: "bar", "aria-hidden": "true" });
      bar.style.width = Math.round((countValue(value) / highest) * 100) + "%";
      row.appendChild(bar);
      list.appendChild(row);
    });
    return list;
  }

  global.Meeting = { el: el, remaining: remaining, follow: follow, turnoutText: turnoutText, bars: bars };
})(window);
