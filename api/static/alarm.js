// The audible alarm: Web Audio bursts in the spirit of IEC 60601-1-8's high-priority
// pattern (3 + 2 pulses), repeated while a high-priority incident waits for someone.
// Browsers block sound until the user touches the page: then a banner asks for a tap.
"use strict";

const Alarm = {
  ctx: null,
  wanted: false,
  timer: null,
  reported: {},

  init(onChange) {
    this.onChange = onChange || (() => {});
    const Context = window.AudioContext || window.webkitAudioContext;
    try {
      this.ctx = Context ? new Context() : null;
    } catch (e) {
      this.ctx = null;
    }
    if (this.ctx) this.ctx.addEventListener("statechange", () => this.changed());
    // Any real touch, click or key press is a chance to unlock the sound.
    for (const type of ["pointerdown", "keydown", "touchend"]) {
      document.addEventListener(type, () => this.unlock(), { capture: true, passive: true });
    }
    this.changed();
    setTimeout(() => this.changed(), 300);  // the context reports "running" a moment later
  },

  // "on", or "blocked" (no gesture yet) or "unavailable" (no Web Audio).
  sound() {
    if (!this.ctx) return "unavailable";
    return this.ctx.state === "running" ? "on" : "blocked";
  },

  async unlock() {
    if (!this.ctx || this.ctx.state === "running") return;
    try {
      await this.ctx.resume();
    } catch (e) { /* still blocked */ }
    this.changed();
  },

  want(on) {
    this.wanted = on;
    if (on && !this.timer) {
      this.burst();
      this.timer = setInterval(() => this.burst(), 3000);
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.changed();
  },

  burst() {
    if (this.sound() !== "on") {
      this.unlock();  // allowed if the page has had a gesture since
      return;
    }
    const start = this.ctx.currentTime + 0.05;
    const offsets = [0, 0.2, 0.4, 1.0, 1.2];
    for (const offset of offsets) this.pulse(start + offset);
  },

  pulse(at) {
    const osc = this.ctx.createOscillator();
    const gain = this.ctx.createGain();
    osc.type = "square";
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.25, at + 0.02);
    gain.gain.setValueAtTime(0.25, at + 0.13);
    gain.gain.linearRampToValueAtTime(0, at + 0.16);
    osc.connect(gain).connect(this.ctx.destination);
    osc.start(at);
    osc.stop(at + 0.17);
  },

  // Tell the page and the console (tests read the console without touching the page).
  changed() {
    const sound = this.sound();
    const alarm = !this.wanted ? "silent" : sound === "on" ? "sounding" : "blocked";
    const state = { sound, alarm };
    for (const [key, value] of Object.entries(state)) {
      if (this.reported[key] !== value) {
        this.reported[key] = value;
        console.info(`[shouhu] ${key}: ${value}`);
      }
    }
    this.onChange(state);
  },
};
