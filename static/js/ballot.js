// Ballots on the phone, one form per method. Built with DOM calls and textContent only.
// Every control is a real form control (radio, checkbox, number, button), so ballots work by
// touch and by keyboard; ranked ballots use buttons to add, move and remove, not dragging.
"use strict";

(function (global) {
  const { el } = global.Meeting;
  const CHOICE_ONE = ["yes_no", "consent", "temperature", "single"];
  const RANKED = ["irv", "stv", "schulze"];

  function radios(vote, t, initial) {
    const group = el("fieldset", { class: "ballot-options" });
    group.appendChild(el("legend", { class: "visually-hidden" }, vote.question));
    vote.options.forEach((option, n) => {
      const id = "v" + vote.id + "-o" + n;
      const row = el("div", { class: "ballot-choice" });
      row.appendChild(el("input", { type: "radio", name: "v" + vote.id, id: id, value: option, checked: option === initial }));
      row.appendChild(el("label", { for: id }, t["option_" + option] || option));
      group.appendChild(row);
    });
    return { node: group, read: () => { const c = group.querySelector("input:checked"); return c ? c.value : null; } };
  }

  function checkboxes(vote, t, initial) {
    const group = el("fieldset", { class: "ballot-options" });
    group.appendChild(el("legend", { class: "visually-hidden" }, vote.question));
    vote.options.forEach((option, n) => {
      const id = "v" + vote.id + "-o" + n;
      const row = el("div", { class: "ballot-choice" });
      row.appendChild(el("input", { type: "checkbox", id: id, value: option, checked: (initial || []).includes(option) }));
      row.appendChild(el("label", { for: id }, option));
      group.appendChild(row);
    });
    return { node: group, read: () => Array.from(group.querySelectorAll("input:checked")).map((i) => i.value) };
  }

  function numbers(vote, t, initial, max, label) {
    const group = el("fieldset", { class: "ballot-options" });
    group.appendChild(el("legend", {}, label));
    vote.options.forEach((option, n) => {
      const id = "v" + vote.id + "-o" + n;
      const row = el("div", { class: "ballot-number" });
      row.appendChild(el("label", { for: id }, option));
      row.appendChild(el("input", { type: "number", id: id, min: 0, max: max, step: 1, inputmode: "numeric", value: (initial || {})[option] || 0, "data-option": option }));
      group.appendChild(row);
    });
    return {
      node: group,
      read: () => {
        const out = {};
        group.querySelectorAll("input").forEach((input) => { out[input.dataset.option] = parseInt(input.value, 10) || 0; });
        return out;
      },
    };
  }

  function ranking(vote, t, initial) {
    let ranked = (initial || []).slice();
    const box = el("div", { class: "ballot-ranking" });
    const live = el("p", { class: "visually-hidden", "aria-live": "polite" });

    function draw(focusLabel) {
      box.replaceChildren();
      box.appendChild(el("h4", {}, t.your_ranking));
      const list = el("ol", { class: "plain-list ranked" });
      if (!ranked.length) {
        list.appendChild(el("li", { class: "meta" }, t.rank_hint));
      }
      ranked.forEach((option, index) => {
        const item = el("li", { class: "ranked-item" });
        item.appendChild(el("span", { class: "rank-number" }, String(index + 1)));
        item.appendChild(el("span", { class: "rank-label" }, option));
        const move = (offset) => () => {
          const target = index + offset;
          if (target < 0 || target >= ranked.length) { return; }
          [ranked[index], ranked[target]] = [ranked[target], ranked[index]];
          live.textContent = option + ": " + (target + 1);
          draw((offset < 0 ? t.move_up : t.move_down) + ": " + option);
        };
        item.appendChild(el("button", { type: "button", class: "button button-small button-quiet", "aria-label": t.move_up + ": " + option, disabled: index === 0, onclick: move(-1) }, "↑"));
        item.appendChild(el("button", { type: "button", class: "button button-small button-quiet", "aria-label": t.move_down + ": " + option, disabled: index === ranked.length - 1, onclick: move(1) }, "↓"));
        item.appendChild(el("button", { type: "button", class: "button button-small button-quiet", "aria-label": t.remove + ": " + option, onclick: () => { ranked.splice(index, 1); draw(null); } }, "✕"));
        list.appendChild(item);
      });
      box.appendChild(list);
      const rest = vote.options.filter((o) => !ranked.includes(o));
      if (rest.length) {
        box.appendChild(el("h4", {}, t.not_ranked));
        const pool = el("ul", { class: "plain-list unranked" });
        rest.forEach((option) => {
          const item = el("li", {});
          const add = () => {
            ranked.push(option);
            live.textContent = option + ": " + ranked.length;
            const next = rest.filter((other) => other !== option)[0];
            draw(next ? t.add + ": " + next : null);
          };
          item.appendChild(el("button", { type: "button", class: "button button-small", "aria-label": t.add + ": " + option, onclick: add }, "+ " + option));
          pool.appendChild(item);
        });
        box.appendChild(pool);
      }
      box.appendChild(live);
      if (focusLabel !== undefined) {
        const wanted = focusLabel && box.querySelector('[aria-label="' + CSS.escape(focusLabel) + '"]');
        const target = wanted && !wanted.disabled ? wanted : box.querySelector("button:not([disabled])");
        if (target) {
          target.focus();
        }
      }
    }
    draw(undefined);
    return { node: box, read: () => ranked.slice() };
  }

  /** A ballot form for one open vote; `onCast(ballot)` sends it. */
  function ballotForm(vote, t, onCast) {
    const form = el("form", { class: "ballot", novalidate: true });
    let control;
    if (CHOICE_ONE.includes(vote.method)) {
      control = radios(vote, t, vote.my_ballot);
    } else if (vote.method === "approval") {
      control = checkboxes(vote, t, vote.my_ballot);
    } else if (vote.method === "dots") {
      control = numbers(vote, t, vote.my_ballot, vote.rule.dots, t.dots.replace("{num}", vote.rule.dots));
    } else if (vote.method === "score") {
      control = numbers(vote, t, vote.my_ballot, vote.rule.max_score, t.score.replace("{num}", vote.rule.max_score));
    } else if (RANKED.includes(vote.method)) {
      control = ranking(vote, t, vote.my_ballot);
    }
    form.appendChild(control.node);
    form.appendChild(el("button", { type: "submit", class: "button" }, vote.my_receipt ? t.change_vote : t.cast));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      onCast(control.read());
    });
    return form;
  }

  global.Ballots = { ballotForm: ballotForm };
})(window);
