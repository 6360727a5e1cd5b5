using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.Tests.Search;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace MediaLibrary.Tests.Ui;

/// The entry page's daily work (SPEC §13, 2026-07): tags as chips, translations, replacing and
/// downloading the file, the publication behind "Where used", and a licence for a whole selection.
public sealed partial class UiTests
{
    /// A file written for the browser's file input (it reads from the local disk).
    private static async Task<string> LocalFileAsync(string name, byte[] bytes)
    {
        var folder = Directory.CreateTempSubdirectory("medialibrary-ui-").FullName;
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    [Fact]
    public async Task Tags_are_chips_added_with_enter_or_a_comma_and_removed_with_their_button()
    {
        var (client, id) = await OpenNewEntryAsync(new JsonObject { ["title"] = "Quay at night", ["tags"] = new JsonArray("fog", "quay") });
        Until(() => Find("#field-tags-chips"));
        string Chips() => (string)Browser.ExecuteScript("return [...document.querySelectorAll('#field-tags-chips li')].map(li => li.dataset.value).join(',')")!;
        Assert.Equal("fog,quay", Chips());

        Find("#field-tags-chips button[aria-label='Remove fog']")!.Click();
        var input = Find("#field-tags")!;
        input.SendKeys("harbour" + Keys.Enter);
        input.SendKeys("night,");
        input.SendKeys("quay" + Keys.Enter);
        Assert.Equal("quay,harbour,night", Chips());
        // Enter with an empty input saves the form, as in every other field.
        input.SendKeys(Keys.Enter);
        Until(() => Text("#status") == "Saved." ? true : (bool?)null);
        var saved = await client.GetEntryAsync(id);
        Assert.Equal(["quay", "harbour", "night"], saved.GetProperty("metadata").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Until(() => Find("#field-tags-chips li[data-value='night']"));
        AssertControlsHaveLabels();
        Browser.ExecuteScript("document.getElementById('field-tags-holder').scrollIntoView({block: 'center'})");
        Screenshot("tags");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_translation_is_added_its_texts_and_file_edited_and_removed()
    {
        var (client, id) = await OpenNewEntryAsync(new JsonObject { ["title"] = "Harbour at dawn" });
        // A caption being typed, not saved, survives the page being drawn again after the translation is added.
        Until(() => Find("#field-caption")).SendKeys("Draft caption");
        Find("#new-locale")!.SendKeys("fr" + Keys.Enter);
        var title = Until(() => Find("#tr-fr-title"));
        Assert.Single((await client.GetEntryAsync(id)).GetProperty("translations").EnumerateArray());
        Assert.Equal("Draft caption", Find("#field-caption")!.GetAttribute("value"));
        Assert.False((await client.GetEntryAsync(id)).GetProperty("metadata").TryGetProperty("caption", out _));

        // A wrong locale gets the server's message; nothing is added.
        Find("#new-locale")!.SendKeys("FR" + Keys.Enter);
        Until(() => Text("#status")?.Contains("must match", StringComparison.Ordinal) == true ? true : (bool?)null);
        Assert.Single((await client.GetEntryAsync(id)).GetProperty("translations").EnumerateArray());

        title.SendKeys("Port à l'aube");
        Find("#tr-fr-caption")!.SendKeys("Le matin");
        Find("#tr-fr-save")!.Click();
        Until(() => Text("#status") == "The fr translation is saved." ? true : (bool?)null);
        var fr = Entries.TranslationPatchTests.Translation(await client.GetEntryAsync(id), "fr")!.Value;
        Assert.Equal("Port à l'aube", fr.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal("Le matin", fr.GetProperty("metadata").GetProperty("caption").GetString());

        // The French file: uploaded, shown, then removed (the texts stay).
        var path = await LocalFileAsync("port.jpg", SampleFiles.DecodableJpeg(300, 200));
        Until(() => Find("#tr-fr-upload")).SendKeys(path);
        Until(() => Browser.ExecuteScript("const i = document.getElementById('tr-fr-preview'); return !!i && i.complete && i.naturalWidth > 0") is true ? true : (bool?)null);
        fr = Entries.TranslationPatchTests.Translation(await client.GetEntryAsync(id), "fr")!.Value;
        Assert.Equal(300, fr.GetProperty("asset").GetProperty("width").GetInt32());
        Assert.Equal("port.jpg", fr.GetProperty("asset").GetProperty("filename").GetString());
        AssertAltText();
        AssertControlsHaveLabels();
        Browser.ExecuteScript("document.getElementById('translations').scrollIntoView()");
        Screenshot("translations");
        // On a phone the entry page, its chips and translations included, stays within the width.
        var size = Browser.Manage().Window.Size;
        try
        {
            Browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
            AssertFitsTheWindow();
        }
        finally
        {
            Browser.Manage().Window.Size = size;
        }

        ClickWhenDrawn("#tr-fr-remove-asset");
        Until(() => Text("#status") == "The fr file is removed." ? true : (bool?)null);
        fr = Entries.TranslationPatchTests.Translation(await client.GetEntryAsync(id), "fr")!.Value;
        Assert.False(fr.TryGetProperty("asset", out _));
        Assert.Equal("Port à l'aube", fr.GetProperty("metadata").GetProperty("title").GetString());

        // Removing the translation asks first.
        ClickWhenDrawn("#tr-fr-remove");
        Until(() => Find("#batch-confirm"))!.Click();
        Until(() => Text("#status") == "The fr translation is removed." ? true : (bool?)null);
        Assert.Equal(0, (await client.GetEntryAsync(id)).GetProperty("translations").GetArrayLength());
        Until(() => Find("#tr-fr-title") is null ? true : (bool?)null);

        // The caption typed at the start is still there, still unsaved; now saved.
        Assert.Equal("Draft caption", Find("#field-caption")!.GetAttribute("value"));
        Find("#save")!.Click();
        Until(() => Text("#status") == "Saved." ? true : (bool?)null);
        Assert.Equal("Draft caption", (await client.GetEntryAsync(id)).GetProperty("metadata").GetProperty("caption").GetString());
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_file_is_replaced_from_the_entry_page_and_the_original_downloads_with_its_name()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportPictureAsync(client, new JsonObject { ["title"] = "Stadium" });
        var oldKey = (await client.GetEntryAsync(id)).GetProperty("asset").GetProperty("key").GetString();
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        var path = await LocalFileAsync("stadium-wide.jpg", SampleFiles.DecodableJpeg(500, 200));
        Until(() => Find("#replace-file")).SendKeys(path);
        Until(() => Text("#status") == "Replaced the file with stadium-wide.jpg." ? true : (bool?)null);
        var entry = await client.GetEntryAsync(id);
        Assert.Equal(500, entry.GetProperty("asset").GetProperty("width").GetInt32());
        Assert.Equal("stadium-wide.jpg", entry.GetProperty("asset").GetProperty("filename").GetString());
        Assert.Equal(2, entry.GetProperty("version").GetInt32());
        // The old key stays the entry's (a CDN purges it), and the page shows the new file.
        Until(() => Browser.FindElements(By.CssSelector("#keys li")).Count == 2 ? true : (bool?)null);
        Assert.Contains(oldKey, Browser.FindElements(By.CssSelector("#keys li")).Select(k => k.Text));
        Until(() => Text("dl.facts")?.Contains("500 × 200", StringComparison.Ordinal) == true ? true : (bool?)null);

        // Download: the original's bytes, under its file name (the blob made and the click on the hidden link are recorded).
        Browser.ExecuteScript(
            """
            window.downloads = [];
            const objectUrl = URL.createObjectURL;
            URL.createObjectURL = (blob) => { window.lastBlob = blob.size; return objectUrl(blob); };
            HTMLAnchorElement.prototype.click = function () { window.downloads.push(this.download + ':' + window.lastBlob); };
            """);
        ClickWhenDrawn("#download");
        var downloaded = Until(() => Browser.ExecuteScript("return window.downloads[0]") as string);
        Assert.Equal($"stadium-wide.jpg:{entry.GetProperty("asset").GetProperty("size").GetInt64()}", downloaded);
        AssertControlsHaveLabels();
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Where_used_links_to_the_documents_live_publication_which_links_back()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportPictureAsync(client, new JsonObject { ["title"] = "Mayor" });
        var story = "story-" + Guid.NewGuid().ToString("N")[..8];
        var document = await client.ImportDocumentAsync(DocumentCalls.Document(story, publish: true, DocumentCalls.ImageComponent("c1", id)));
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        Until(() => Text($"li[data-document='{document}'] a strong") == $"Story {story}" ? true : (bool?)null);
        Find($"li[data-document='{document}'] a")!.Click();
        Until(() => Text("#document-title") == $"Story {story}" ? true : (bool?)null);
        Assert.Contains($"Document\n{document}", Text("#publication"), StringComparison.Ordinal);
        Find($"#components li[data-component='c1'] a[href='#/entry/{id}']")!.Click();
        Until(() => Text("h1") == "Mayor" ? true : (bool?)null);
        AssertNoConsoleErrors();

        // A document that is not published (any more) says so (the console reports the 404 it got).
        (await client.PostAsync($"/api/2026-07/documents/{document}/unpublish", null)).EnsureSuccessStatusCode();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/document/{document}"));
        Until(() => Text("#document-missing") == "This document is not published (any more)." ? true : (bool?)null);
        Assert.All(Browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Severe),
            e => Assert.Contains($"/documents/{document}/latestPublication - Failed to load resource: the server responded with a status of 404", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_licence_profile_is_set_on_a_whole_selection_and_an_entry_without_one_says_why()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var pictures = new[] { await ImportPictureAsync(client, new JsonObject { ["title"] = $"Pitch {word}" }), await ImportPictureAsync(client, new JsonObject { ["title"] = $"Goal {word}", ["license"] = "restricted" }) };
        var clip = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "video", ["asset"] = await client.UploadAsync(SampleFiles.Mp4(320, 180, 2.5), "clip.mp4"), ["metadata"] = new JsonObject { ["title"] = $"Clip {word}" },
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;
        SignIn();
        Find("#q")!.SendKeys(word + Keys.Enter);
        UntilCount("3 entries, 3 shown");
        ShiftRightTwiceFromTheFirstTile();
        Until(() => Text("#selected-count") == "3 selected" ? true : (bool?)null);
        Find("#batch-license")!.Click();
        Choose("#batch-license-profile", "freelancer");
        AssertControlsHaveLabels();
        Find("#batch-confirm")!.Click();
        UntilSummary("Licence set to Freelancer: 2 of 3; 1 not.");
        Assert.Equal($"Clip {word}: its media type 'video' has no licence profile", Text($"#batch-outcomes li[data-id='{clip}']"));
        foreach (var picture in pictures)
        {
            Assert.Equal("freelancer", (await client.GetEntryAsync(picture)).GetProperty("metadata").GetProperty("license").GetString());
            Until(() => Find($"li[data-id='{picture}'] .dot")?.GetAttribute("aria-label") == "Licence: Freelancer" ? true : (bool?)null);
        }

        Assert.Equal(1, (await client.GetEntryAsync(clip)).GetProperty("version").GetInt32());
        AssertNoConsoleErrors();
    }
}
