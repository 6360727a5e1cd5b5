using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using OpenQA.Selenium;

namespace MediaLibrary.Tests.Ui;

/// What the flows do in the browser: sign in, wait for a condition, check the page (layout, alt text, console), take screenshots.
public sealed partial class UiTests
{
    /// An image entry with a file libvips can decode (the thumbnails are real transforms).
    private static async Task<string> ImportPictureAsync(HttpClient client, JsonObject metadata) =>
        await client.ImportImageAsync(metadata, new JsonObject { ["asset"] = await client.UploadAsync(SampleFiles.DecodableJpeg(400, 300), "picture.jpg") });

    /// A new picture entry with this metadata, its page open in the signed-in browser.
    private async Task<(HttpClient Client, string Id)> OpenNewEntryAsync(JsonObject metadata)
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportPictureAsync(client, metadata);
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        return (client, id);
    }

    private void SignIn()
    {
        Browser.Navigate().GoToUrl(app.Url("/ui/"));
        Browser.ExecuteScript("sessionStorage.setItem('medialibrary.token', arguments[0])", app.Token);
        Browser.Navigate().GoToUrl(app.Url("/ui/#/"));
        Browser.Navigate().Refresh();
        Until(() => Find("#grid"));
    }

    /// Picks an option as a person would with the keyboard: focus the select, then arrow keys until it shows the value.
    private void Choose(string css, string value)
    {
        var select = Find(css)!;
        select.SendKeys(Keys.Home);
        for (var i = 0; i < 10 && select.GetAttribute("value") != value; i++)
        {
            select.SendKeys(Keys.ArrowDown);
        }

        Assert.Equal(value, select.GetAttribute("value"));
    }

    private IWebElement? Find(string css) => Browser.FindElements(By.CssSelector(css)).FirstOrDefault();

    private string? Text(string css) => Find(css)?.Text;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private T Until<T>(Func<T?> probe, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (probe() is { } value)
                {
                    return value;
                }
            }
            catch (WebDriverException e)
            {
                last = e;
            }

            Thread.Sleep(Poll);
        }

        Screenshot("failed-" + Guid.NewGuid().ToString("N")[..6], failure: true);
        throw new TimeoutException($"Waited {seconds} s in the browser at {Browser.Url}; status: {Text("#status")}", last);
    }

    /// Nothing sticks out sideways at 1280 px (no horizontal scrolling); names the widest element when something does.
    private void AssertFitsTheWindow()
    {
        var wide = Browser.ExecuteScript(
            "const w = document.documentElement.clientWidth; const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1);" +
            "return out.length ? out.slice(-3).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')" +
            "  : document.documentElement.scrollWidth > w ? 'the page is ' + document.documentElement.scrollWidth + ' px wide' : ''");
        Assert.Equal("", wide);
    }

    /// Every image has alt text; every image placeholder a label.
    private void AssertAltText()
    {
        var missing = Browser.ExecuteScript(
            "return [...document.querySelectorAll('img')].filter(i => !i.alt.trim()).length + [...document.querySelectorAll('[role=img]')].filter(e => !(e.getAttribute('aria-label') || '').trim()).length");
        Assert.Equal(0L, missing);
    }

    /// Every visible control has an accessible name (axe's "label" and "button-name" rules): a
    /// label for its id, a wrapping label, aria-label or aria-labelledby, or a button's text. Names the nameless.
    private void AssertControlsHaveLabels()
    {
        var nameless = Browser.ExecuteScript(
            """
            const named = (e) => {
              if (e.getAttribute('aria-label')?.trim() || e.getAttribute('aria-labelledby')) return true;
              if (e.tagName === 'BUTTON') return !!e.textContent.trim();
              if (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`)?.textContent.trim()) return true;
              return !!e.closest('label')?.textContent.trim();
            };
            return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
              .filter(e => e.getClientRects().length && !named(e))
              .map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ');
            """);
        Assert.Equal("", nameless);
    }

    /// No script errors and no Content-Security-Policy violations in the browser's console.
    private void AssertNoConsoleErrors()
    {
        var errors = Browser.Manage().Logs.GetLog(LogType.Browser)
            .Where(e => e.Level >= OpenQA.Selenium.LogLevel.Severe || e.Message.Contains("Content Security Policy", StringComparison.Ordinal))
            // A refused thumbnail (403) is the point of the revoke flow, an entry in use (409) of the batch delete;
            // the console reports every non-2xx fetch.
            .Where(e => !e.Message.Contains("status of 403", StringComparison.Ordinal) && !e.Message.Contains("status of 415", StringComparison.Ordinal)
                        && !e.Message.Contains("status of 409", StringComparison.Ordinal)
                        && !e.Message.Contains("status of 400", StringComparison.Ordinal) && !e.Message.Contains("status of 401", StringComparison.Ordinal))
            .Select(e => e.Message).ToList();
        Assert.Empty(errors);
    }

    /// Saved under docs/ui/ of the repository (the committed screenshots come from here), or next to the tests when run elsewhere.
    private void Screenshot(string name, bool failure = false)
    {
        var folder = ScreenshotFolder(failure);
        Directory.CreateDirectory(folder);
        Browser.GetScreenshot().SaveAsFile(Path.Combine(folder, name + ".png"));
    }

    private static string ScreenshotFolder(bool failure)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MediaLibrary.slnx")))
            {
                return failure ? Path.Combine(dir.FullName, "tests", "screenshots") : Path.Combine(dir.FullName, "docs", "ui");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }
}
