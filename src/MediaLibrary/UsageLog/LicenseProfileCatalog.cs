using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.UsageLog;

/// What a licence allows for one usage purpose: an informational cost class and whether each use
/// is billed (`always`, `never`, or null: a person decides later).
public sealed record LicenseRule(string CostClass, string? BillingMode)
{
    /// The `billing` flag a use recorded under this rule starts with: null while unresolved.
    public bool? Billing => BillingMode switch
    {
        "always" => true,
        "never" => false,
        _ => null,
    };

    /// The usage log's snapshot of the rule (SPEC §15): a later change of the config does not alter it.
    public string ToJson()
    {
        var json = new JsonObject { ["costClass"] = CostClass };
        if (BillingMode is not null)
        {
            json["billingMode"] = BillingMode;
        }

        return json.ToJsonString(Api.AppJson.Options);
    }
}

/// A contract's terms (SPEC §15): the purposes it covers, each with its rule, and whether a person
/// must approve each use in a document.
public sealed record LicenseProfile(string Handle, JsonObject? Label, string? Color, bool ApprovalRequired, IReadOnlyDictionary<string, LicenseRule> Rules);

/// The `licenseProfiles` of the project config file, checked at start against the usage purposes:
/// a bad profile stops the start with a message naming it. `Enabled` turns the publish gate on;
/// usage is recorded with the rule that applied either way.
public sealed partial class LicenseProfileCatalog
{
    public static readonly IReadOnlySet<string> CostClasses = new HashSet<string> { "free", "low", "standard", "high" };
    public static readonly IReadOnlySet<string> BillingModes = new HashSet<string> { "never", "always" };

    public const string PropertyType = "li-license-profile";

    private readonly Dictionary<string, LicenseProfile> _profiles;

    private LicenseProfileCatalog(bool enabled, Dictionary<string, LicenseProfile> profiles) => (Enabled, _profiles) = (enabled, profiles);

    public bool Enabled { get; }

    /// In the order of the config.
    public IReadOnlyCollection<LicenseProfile> All => _profiles.Values;

    public LicenseProfile? Find(string? handle) => handle is not null && _profiles.TryGetValue(handle, out var profile) ? profile : null;

    /// The profile handles whose rules cover the purpose (search's `licensePurpose`).
    public IReadOnlyList<string> Covering(string purpose) => [.. _profiles.Values.Where(p => p.Rules.ContainsKey(purpose)).Select(p => p.Handle)];

    public static LicenseProfileCatalog Load(MediaLibraryOptions options)
    {
        var (root, source) = MediaTypeCatalog.ReadProjectConfig(options);
        return Parse(root, source);
    }

    /// From the whole project config: the profiles need the usage purposes their rules name.
    public static LicenseProfileCatalog Parse(JsonNode? root, string source)
    {
        var profiles = new Dictionary<string, LicenseProfile>(StringComparer.Ordinal);
        var node = root?["licenseProfiles"];
        if (node is null)
        {
            return new LicenseProfileCatalog(false, profiles);
        }

        if (node is not JsonObject section)
        {
            throw new StartupException($"{source}: \"licenseProfiles\" must be an object like {{\"enabled\": true, \"profiles\": [...]}}.");
        }

        foreach (var (name, _) in section)
        {
            if (name is not ("enabled" or "profiles"))
            {
                throw new StartupException($"{source}: \"licenseProfiles\" has an unknown setting \"{name}\" (known: enabled, profiles).");
            }
        }

        var enabled = Boolean(section["enabled"], $"{source}: \"licenseProfiles.enabled\"");
        if (section["profiles"] is not JsonArray list)
        {
            throw new StartupException($"{source}: \"licenseProfiles.profiles\" must be an array of profiles.");
        }

        var purposes = UsagePurposeCatalog.Parse(root!["usagePurposes"], source);
        foreach (var item in list)
        {
            var profile = ParseProfile(item as JsonObject, purposes, source);
            if (!profiles.TryAdd(profile.Handle, profile))
            {
                throw new StartupException($"{source}: license profile '{profile.Handle}' is defined twice.");
            }
        }

        return new LicenseProfileCatalog(enabled, profiles);
    }

    private static LicenseProfile ParseProfile(JsonObject? node, UsagePurposeCatalog purposes, string source)
    {
        var handle = Text(node?["handle"]);
        var where = $"{source}: license profile '{handle ?? "?"}'";
        if (node is null || handle is null)
        {
            throw new StartupException($"{where} needs a \"handle\".");
        }

        foreach (var (name, _) in node)
        {
            if (name is not ("handle" or "label" or "color" or "approvalRequired" or "rules"))
            {
                throw new StartupException($"{where} has an unknown setting \"{name}\" (known: handle, label, color, approvalRequired, rules).");
            }
        }

        var label = node["label"] switch
        {
            null => null,
            JsonObject labels when labels.All(l => Text(l.Value) is not null) => (JsonObject)labels.DeepClone(),
            _ => throw new StartupException($"{where}: \"label\" must be an object of texts by locale, like {{\"en\": \"Freelancer\"}}."),
        };

        var color = node["color"] is null ? null : Text(node["color"]);
        if (node["color"] is not null && (color is null || !ColorPattern().IsMatch(color)))
        {
            throw new StartupException($"{where}: \"color\" must be a colour like \"#e0b32d\".");
        }

        var approvalRequired = Boolean(node["approvalRequired"], $"{where}: \"approvalRequired\"");
        if (node["rules"] is not JsonObject ruleNodes)
        {
            throw new StartupException($"{where}: \"rules\" must be an object of rules by usage purpose, like {{\"web\": {{\"costClass\": \"low\", \"billingMode\": \"always\"}}}}.");
        }

        var rules = new Dictionary<string, LicenseRule>(StringComparer.Ordinal);
        foreach (var (purpose, ruleNode) in ruleNodes)
        {
            var at = $"{where}, rule '{purpose}'";
            if (purposes.Find(purpose) is null)
            {
                throw new StartupException(
                    $"{at}: '{purpose}' is not a configured usage purpose (known: {(purposes.All.Count == 0 ? "none" : string.Join(", ", purposes.All.Select(p => p.Handle)))}).");
            }

            if (ruleNode is not JsonObject rule || rule.Any(p => p.Key is not ("costClass" or "billingMode")))
            {
                throw new StartupException($"{at} must be an object with \"costClass\" and, optionally, \"billingMode\".");
            }

            var costClass = Text(rule["costClass"]);
            if (costClass is null || !CostClasses.Contains(costClass))
            {
                throw new StartupException($"{at}: \"costClass\" must be one of {string.Join(", ", CostClasses)}.");
            }

            var billingMode = rule["billingMode"] is null ? null : Text(rule["billingMode"]);
            if (rule["billingMode"] is not null && (billingMode is null || !BillingModes.Contains(billingMode)))
            {
                throw new StartupException($"{at}: \"billingMode\" must be \"never\" or \"always\", or absent (a person decides).");
            }

            rules[purpose] = new LicenseRule(costClass, billingMode);
        }

        return new LicenseProfile(handle, label, color, approvalRequired, rules);
    }

    private static bool Boolean(JsonNode? node, string what) => node?.GetValueKind() switch
    {
        null => false,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new StartupException($"{what} must be true or false."),
    };

    private static string? Text(JsonNode? node) => UsagePurposeCatalog.Text(node);

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColorPattern();
}
