// Meshwork's only hand-written script. Everything works without it; with it:
// - the catalog searches as you type (fetches the same server-rendered page and swaps in its results and facets),
// - choosing a dataset on the access page submits its form,
// - "Copy" buttons copy a snippet.
// Listeners sit on the document, so they keep working across Blazor's enhanced navigations.
(() => {
    'use strict';
    let timer = 0;
    let controller = null;

    document.addEventListener('input', (event) => {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || !input.matches('form[data-live-search] input[type=search]')) {
            return;
        }
        clearTimeout(timer);
        timer = setTimeout(() => search(input.form), 120);
    });

    async function search(form) {
        const url = new URL(form.getAttribute('action') || location.pathname, location.href);
        const params = new URLSearchParams();
        for (const [name, value] of new FormData(form)) {
            if (typeof value === 'string' && value.trim() !== '') {
                params.append(name, value);
            }
        }
        url.search = params.toString();
        const startedAt = location.href;
        controller?.abort();
        controller = new AbortController();
        try {
            const response = await fetch(url, { signal: controller.signal, credentials: 'same-origin', headers: { Accept: 'text/html' } });
            if (!response.ok || response.redirected) {
                return;
            }
            const text = await response.text();
            if (location.href !== startedAt) {
                return; // the user went elsewhere meanwhile (a facet, a product): that choice stands
            }
            const page = new DOMParser().parseFromString(text, 'text/html');
            for (const id of ['results', 'facets']) {
                const fresh = page.getElementById(id);
                const current = document.getElementById(id);
                if (fresh && current) {
                    current.replaceWith(document.importNode(fresh, true));
                }
            }
            document.title = page.title;
            history.replaceState(history.state, '', url);
        } catch (error) {
            if (error.name !== 'AbortError') {
                console.warn('search failed', error);
            }
        }
    }

    // Following a link ends the search being typed: its late results must not replace where the user went.
    document.addEventListener('click', (event) => {
        if (event.target instanceof Element && event.target.closest('a[href]')) {
            clearTimeout(timer);
            controller?.abort();
        }
    }, true);

    document.addEventListener('change', (event) => {
        const select = event.target;
        if (select instanceof HTMLSelectElement && select.form?.hasAttribute('data-autosubmit')) {
            select.form.requestSubmit();
        }
    });

    document.addEventListener('click', async (event) => {
        const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
        if (!button) {
            return;
        }
        const source = document.getElementById(button.getAttribute('data-copy'));
        if (!source) {
            return;
        }
        try {
            await navigator.clipboard.writeText(source.innerText);
            button.textContent = 'Copied';
        } catch {
            // No clipboard (plain http on another host): select the text so Ctrl+C works.
            const range = document.createRange();
            range.selectNodeContents(source);
            const selection = getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            button.textContent = 'Press Ctrl+C';
        }
        setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    });
})();
