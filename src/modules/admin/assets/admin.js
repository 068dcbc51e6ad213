// The console's only script: confirmation of destructive forms, copy-to-clipboard. Pages work without it.
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
});
document.addEventListener("click", async (e) => {
  const button = e.target instanceof Element ? e.target.closest("button[data-copy]") : null;
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied;
});
