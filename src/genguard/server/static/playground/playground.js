// The genguard playground: one streamed chat answer through the gateway, its guard verdicts, then a
// watermark detection of the answer with coloured tokens and a downloadable certificate.
// Talks only to this gateway (relative URLs; the page's CSP is default-src 'self'). Every text from
// the server goes into the page through textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_CLASSES = { 1: "tok-green", 0: "tok-red", "-1": "tok-context", "-2": "tok-repeat" };
  const TOKEN_TITLES = { 1: "green", 0: "red", "-1": "not scored (context)", "-2": "repeat (counted once)" };
  let certificateUrl = null; // the Blob URL of the last certificate link, revoked on the next run

  /** Request headers: JSON, and the API key as a Bearer token when the user typed one. */
  function headers(json) {
    const out = json ? { "Content-Type": "application/json" } : {};
    const key = $("api-key").value.trim();
    if (key) out.Authorization = `Bearer ${key}`;
    return out;
  }

  /** The error object of a failed response (OpenAI's {"error": {...}} shape), or one made up. */
  async function errorOf(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch (_) {
      // not JSON: fall through
    }
    return { message: `the gateway answered HTTP ${response.status}`, code: null };
  }

  function showError(status, error) {
    const box = $("error");
    box.replaceChildren();
    const title = document.createElement("strong");
    if (error.code === "content_blocked") {
      // The gateway's message names the rules and never repeats the prompt; show only that.
      const rules = /rule\(s\) ([^:]+):/.exec(error.message || "");
      title.textContent = `Blocked by the guard${rules ? `: rule(s) ${rules[1]}` : ""}`;
      title.className = "blocked-rules";
    } else {
      title.textContent = status ? `Error ${status}${error.code ? ` (${error.code})` : ""}` : "Error";
    }
    const message = document.createElement("p");
    message.textContent = error.message || "";
    box.append(title, message);
    box.hidden = false;
  }

  async function loadModels() {
    const status = $("models-status");
    const select = $("model");
    status.textContent = "loading models…";
    try {
      const response = await fetch("v1/models", { headers: headers(false) });
      if (!response.ok) {
        const error = await errorOf(response);
        status.textContent = `could not list models: ${error.message}`;
        return;
      }
      const list = await response.json();
      const previous = select.value;
      select.replaceChildren(
        ...list.data.map((card) => {
          const option = document.createElement("option");
          option.value = card.id;
          option.textContent = `${card.id} (${card.owned_by})`;
          return option;
        }),
      );
      if (list.data.some((card) => card.id === previous)) select.value = previous;
      status.textContent = `${list.data.length} model(s)`;
    } catch (exc) {
      status.textContent = `could not list models: ${exc.message}`;
    }
  }

  /** Calls onEvent(parsed JSON) for each `data:` event of a server-sent event stream until [DONE]. */
  async function readEvents(body, onEvent) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      const events = buffer.split(/\r?\n\r?\n/);
      buffer = done ? "" : events.pop();
      for (const event of events) {
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (!data) continue;
        if (data === "[DONE]") return;
        onEvent(JSON.parse(data));
      }
      if (done) return;
    }
  }

  function stageText(stage) {
    if (!stage) return ["not checked", "action"];
    const rules = stage.rules.length ? ` (rules: ${stage.rules.join(", ")})` : "";
    return [`${stage.action}${rules}`, `action action-${stage.action}`];
  }

  function setStage(id, stage) {
    const [text, className] = stageText(stage);
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    $(id).replaceChildren(span);
  }

  function showVerdicts(meta, finish) {
    $("verdict-profile").textContent = meta ? meta.guard.profile : "unknown";
    setStage("verdict-input", meta && meta.guard.input);
    setStage("verdict-output", meta && meta.guard.output);
    const wm = meta && meta.watermark;
    $("verdict-watermark").textContent = wm
      ? `${wm.scheme}, gamma ${wm.gamma}, key ${wm.key_id}`
      : `none (${(meta && meta.watermark_note) || "not reported"})`;
    $("verdict-finish").textContent =
      finish === "content_filter" ? "content_filter: the output guard stopped the answer" : finish || "unknown";
    $("verdicts").hidden = false;
  }

  /** Streams the chat answer into the page; returns its text ("" when there is none). */
  async function chat(prompt) {
    const body = {
      model: $("model").value,
      messages: [{ role: "user", content: prompt }],
      stream: true,
    };
    const maxTokens = Number.parseInt($("max-tokens").value, 10);
    if (Number.isFinite(maxTokens)) body.max_tokens = maxTokens;
    const temperature = Number.parseFloat($("temperature").value);
    if (Number.isFinite(temperature)) body.temperature = temperature;
    const seed = Number.parseInt($("seed").value, 10);
    if (Number.isFinite(seed)) body.seed = seed;
    const response = await fetch("v1/chat/completions", {
      method: "POST",
      headers: headers(true),
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      showError(response.status, await errorOf(response));
      return "";
    }
    const answer = $("answer");
    let text = "";
    let meta = null;
    let finish = null;
    let failed = false;
    await readEvents(response.body, (event) => {
      if (event.error) {
        failed = true;
        showError(null, event.error);
        return;
      }
      if (event.genguard) meta = event.genguard;
      for (const choice of event.choices || []) {
        const piece = choice.delta && choice.delta.content;
        if (piece) {
          text += piece;
          answer.append(piece); // a text node: what the model wrote is never parsed as HTML
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    });
    if (!failed) showVerdicts(meta, finish);
    return text;
  }

  function formatP(p) {
    if (p === null || p === undefined) return "n/a";
    return p !== 0 && p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
  }

  function showTokens(tokens, mask) {
    const spans = tokens.map((piece, i) => {
      const span = document.createElement("span");
      span.className = `tok ${TOKEN_CLASSES[mask[i]] || "tok-context"}`;
      span.title = TOKEN_TITLES[mask[i]] || "";
      span.textContent = piece;
      return span;
    });
    $("tokens").replaceChildren(...spans);
  }

  function showCertificate(result) {
    const cell = $("det-certificate");
    const file = result.certificate_files && result.certificate_files[0];
    if (!file) {
      const reason = result.certificate_errors && result.certificate_errors[0];
      cell.textContent = `none issued${reason ? `: ${reason}` : ""}`;
      return;
    }
    certificateUrl = URL.createObjectURL(new Blob([file], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = certificateUrl;
    link.download = "certificate.json";
    link.className = "download";
    link.id = "certificate-link";
    link.textContent = "download certificate (certificate.json)";
    cell.replaceChildren(link);
  }

  async function detect(text) {
    const response = await fetch("v1/watermark/detect", {
      method: "POST",
      headers: headers(true),
      body: JSON.stringify({ texts: [text], certify: true, tokens: true }),
    });
    if (!response.ok) {
      showError(response.status, await errorOf(response));
      return;
    }
    const result = await response.json();
    const detection = result.detections[0];
    showTokens(result.tokens[0], detection.green_mask);
    $("det-decision").textContent = `${detection.decision} (${detection.reason})`;
    $("det-z").textContent = detection.z_score === null ? "n/a" : detection.z_score.toFixed(2);
    $("det-p").textContent = formatP(detection.p_value);
    $("det-green").textContent =
      `${detection.num_green_tokens} of ${detection.num_tokens_scored} scored tokens ` +
      `(${detection.num_tokens} in all; expected fraction without watermark ${detection.gamma})`;
    $("det-key").textContent = `${detection.key_id || "none"}, ${detection.scheme}`;
    showCertificate(result);
    $("detection-section").hidden = false;
  }

  function reset() {
    $("error").hidden = true;
    $("error").replaceChildren();
    $("answer").replaceChildren();
    $("verdicts").hidden = true;
    $("detection-section").hidden = true;
    $("tokens").replaceChildren();
    if (certificateUrl) URL.revokeObjectURL(certificateUrl);
    certificateUrl = null;
  }

  /** Shows the run's state: the form's data-state (running, done, error) and the status line. */
  function setState(state, status) {
    $("ask").dataset.state = state;
    $("busy").textContent = status;
  }

  async function submit(event) {
    event.preventDefault();
    const prompt = $("prompt").value;
    reset();
    if (!prompt.trim()) {
      showError(null, { message: "Type a prompt first." });
      setState("error", "");
      return;
    }
    const button = $("submit");
    button.disabled = true;
    $("answer").setAttribute("aria-busy", "true");
    setState("running", "generating…");
    try {
      const text = await chat(prompt);
      $("answer").setAttribute("aria-busy", "false");
      if (text.trim() && $("error").hidden) {
        setState("running", "testing the watermark…");
        await detect(text);
      }
      setState($("error").hidden ? "done" : "error", $("error").hidden ? "done" : "");
    } catch (exc) {
      showError(null, { message: `the request failed: ${exc.message}` });
      setState("error", "");
    } finally {
      $("answer").setAttribute("aria-busy", "false");
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("ask").addEventListener("submit", submit);
    $("api-key").addEventListener("change", loadModels);
    loadModels();
  });
})();
