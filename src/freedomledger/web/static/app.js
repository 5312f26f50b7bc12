// Freedom Ledger: the only script. It polls a registry import's progress; pages work without it.
"use strict";
(function () {
  const box = document.getElementById("import-job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") return;
  const url = box.dataset.url;
  const bar = box.querySelector("progress");
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const job = await response.json();
      bar.value = job.percent;
      bar.textContent = job.percent + "%";
      box.querySelector(".job-state").textContent = job.state;
      box.querySelector(".job-progress").textContent = job.done + " / " + job.total;
      box.querySelector(".job-message").textContent = job.message;
      box.dataset.state = job.state;
      if (job.state === "done" || job.state === "failed") return;
    } catch (error) {
      // A failed poll is retried on the next tick.
    }
    window.setTimeout(tick, 700);
  };
  window.setTimeout(tick, 300);
})();
