using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace MediaLibrary.Tests.Ui;

/// The real server (a process on a port, sharing the fixture's database) and Debian's headless
/// Chromium driven by chromedriver. Each test is one flow a picture editor goes through; each
/// saves screenshots of its screens into docs/ui/.
public sealed class UiApp : TestApp
{
    public ServiceProcess Process { get; private set; } = null!;

    public ChromeDriver Browser { get; private set; } = null!;

    public string Token { get; private set; } = "";

    /// Licence profiles (SPEC §15, the gate off: nothing here is about publishing) for the shipped
    /// `print` purpose; images carry theirs in `license`.
    public const string Profiles = """
        {"enabled": false, "profiles": [
          {"handle": "inHouse", "label": {"en": "In-House"}, "color": "#2fb181", "rules": {"print": {"costClass": "free", "billingMode": "never"}}},
          {"handle": "freelancer", "label": {"en": "Freelancer"}, "color": "#e0b32d", "rules": {"print": {"costClass": "low", "billingMode": "always"}}},
          {"handle": "restricted", "label": {"en": "Restricted"}, "color": "#d94f4f", "approvalRequired": true, "rules": {}}]}
        """;

    public override async Task InitializeAsync()
    {
        var path = await ProjectConfig.WriteAsync(DataDirectory, ("licenseProfiles", Profiles));
        var config = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        config["mediaTypes"]!.AsArray().First(t => t!["handle"]!.GetValue<string>() == "image")!["metadata"]!.AsArray()
            .Add(new JsonObject { ["handle"] = "license", ["type"] = "li-license-profile", ["ui"] = new JsonObject { ["label"] = "Licence" } });
        await File.WriteAllTextAsync(path, config.ToJsonString());
        Overrides["MediaLibrary:MediaTypesFile"] = path;
        await base.InitializeAsync();
        Process = await ServiceProcess.StartAsync(Settings());
        Token = await CreateTokenAsync([MediaLibrary.Clients.Scopes.Read, MediaLibrary.Clients.Scopes.Write], name: "picture-desk");
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,960", "--lang=en-US");
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        Browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        Browser.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
    }

    public override async ValueTask DisposeAsync()
    {
        Browser?.Quit();
        Browser?.Dispose();
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    public string Url(string path) => new Uri(Process.BaseAddress, path).ToString();
}

/// Chromium takes a core of its own: the browser tests run after the others, alone, so their
/// load does not starve the timing-sensitive tests (fault injection, durability) beside them.
[CollectionDefinition(nameof(BrowserCollection), DisableParallelization = true)]
public sealed class BrowserCollection;
