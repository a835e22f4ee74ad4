// 'Is this page useful?': pages carry no CSRF token (so they set no cookie and can be cached).
// On Yes or No, fetch the small answer form (which carries a token and sets the CSRF cookie) and
// send it at once. Without JavaScript, or if anything fails, the buttons open that form instead.
document.querySelectorAll("form[data-psm-feedback]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button || form.dataset.sending) return;
    event.preventDefault();
    form.dataset.sending = "true";
    const query = new URLSearchParams(new FormData(form));
    query.set(button.name, button.value);
    const address = `${form.action}?${query}`;
    try {
      const response = await fetch(address, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`answer form: ${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const answer = page.getElementById("feedback-useful-form");
      if (!answer) throw new Error("answer form missing");
      answer.hidden = true;
      document.body.appendChild(document.adoptNode(answer));
      answer.submit();
    } catch (error) {
      window.location.assign(address);
    }
  });
});
