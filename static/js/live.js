// The real-time protocol for every live screen (see docs/protocol.md).
// Joins rooms, tracks the last event seq it saw, resyncs after a reconnect,
// and sends commands that resolve to the acknowledgement envelope.
"use strict";

(function (global) {
  const COMMAND_TIMEOUT_MS = 10000;
  const SEEN_LIMIT = 2000;

  function newClientId() {
    if (global.crypto && global.crypto.randomUUID) {
      return global.crypto.randomUUID();
    }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  class LiveConnection {
    /**
     * @param {string[]} rooms rooms to join (the server decides if this client may)
     * @param {(event: object) => void} onEvent called once per event, in seq order
     * @param {(state: string) => void} onState "online", "offline" or "resyncing"
     * @param {number|null} startSeq the seq the page was rendered at (its data-seq), if known
     */
    constructor(rooms, onEvent, onState, startSeq) {
      this.rooms = rooms;
      this.onEvent = onEvent;
      this.onState = onState || function () {};
      this.lastSeq = Number.isInteger(startSeq) ? startSeq : null;
      this.seen = new Set(); // seqs already handed on: live delivery and resync may overlap
      this.socket = global.io({ transports: ["websocket", "polling"] });
      this.socket.on("connect", () => this.joinAndResync());
      this.socket.on("disconnect", () => this.onState("offline"));
      this.socket.on("event", (event) => this.receive(event));
      this.onTurnout = null; // set by screens that show vote turnout (coalesced, not logged)
      this.socket.on("turnout", (message) => this.onTurnout && this.onTurnout(message));
    }

    receive(event) {
      if (this.seen.has(event.seq)) {
        return;
      }
      this.seen.add(event.seq);
      if (this.seen.size > SEEN_LIMIT) {
        this.seen.delete(this.seen.values().next().value);
      }
      // lastSeq is where the next resync starts; it only moves forward.
      this.lastSeq = this.lastSeq === null ? event.seq : Math.max(this.lastSeq, event.seq);
      this.onEvent(event);
    }

    async joinAndResync() {
      this.onState("resyncing");
      let newest = 0;
      for (const room of this.rooms) {
        const ack = await this.command("join", { room: room });
        if (ack.ok) {
          newest = Math.max(newest, ack.seq);
        }
      }
      if (this.lastSeq === null) {
        this.lastSeq = newest; // no known starting point: take the server's current seq
      } else {
        await this.resync();
      }
      this.onState("online");
    }

    async resync() {
      let more = true;
      while (more) {
        const ack = await this.command("resync", { since: this.lastSeq });
        if (!ack.ok) {
          return;
        }
        ack.events.forEach((event) => this.receive(event));
        this.lastSeq = Math.max(this.lastSeq, ack.seq);
        more = ack.more;
      }
    }

    /** Join one more room now and after every reconnect. */
    async addRoom(room) {
      if (!this.rooms.includes(room)) {
        this.rooms.push(room);
        await this.command("join", { room: room });
      }
    }

    /** Send a command; resolves to {ok: true, ...} or {ok: false, error: {code, message}}. */
    command(name, data) {
      return new Promise((resolve) => {
        this.socket.timeout(COMMAND_TIMEOUT_MS).emit(name, data || {}, (err, ack) => {
          if (err) {
            resolve({ ok: false, error: { code: "timeout", message: "No answer from the server." } });
          } else {
            resolve(ack);
          }
        });
      });
    }
  }

  global.AssemblyLive = { LiveConnection: LiveConnection, newClientId: newClientId };
})(window);
