// Steps of the demo page (web/index.html) that the browser tests share.

export async function register(page, email, password = "correct horse battery") {
  await page.fill("#email", email)
  await page.fill("#password", password)
  await page.click("#register")
}

export async function logIn(page, email, password = "correct horse battery") {
  await page.fill("#email", email)
  await page.fill("#password", password)
  await page.click("#login")
}

export async function waitForState(page, state, timeout = 10000) {
  await page.waitForSelector(`#state[data-state="${state}"]`, {timeout})
}

// Resolves with the distinct values #count showed, once it changed `changes` times.
export async function waitForCountChanges(page, changes, timeout = 10000) {
  const handle = await page.waitForFunction((wanted) => {
    const text = document.getElementById("count").textContent
    const seen = (globalThis.__countsSeen ??= [])
    if (/^\d+$/.test(text) && seen.at(-1) !== text) seen.push(text)
    return seen.length >= wanted + 1 && seen.slice()
  }, changes, {polling: 50, timeout})
  const seen = await handle.jsonValue()
  await page.evaluate(() => { globalThis.__countsSeen = [] })
  return seen
}
