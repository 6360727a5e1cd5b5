using CsCheck;
using static MediaLibrary.Tests.Reliability.Fuzzing.FuzzJson;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// The library as the fuzzer found it: ids and an uploaded asset that valid requests refer to.
public sealed record FuzzContext(string EntryId, string OtherId, long DocumentId, FuzzJson Asset, string ServeKey, byte[] Upload, string ImportJobId, string UsageLogEntryId, string SearchCursor);

/// Valid requests for every endpoint, then 0–3 mutations each (CsCheck generators, so a run is
/// reproduced from the seed CsCheck prints on failure).
public static class RequestGen
{
    private const int Templates = 24;

    /// The search whose second page the fuzzer asks for (its cursor is in the context).
    public const string SearchQuery = "q=fuzz+target&mediaType=image&state=active&archived=false&sort=-updatedAt&limit=1&createdAt.gte=2020-01-01";

    public static Gen<FuzzRequest> For(FuzzContext context)
    {
        var mutation =
            from kind in Gen.Enum<MutationKind>()
            from place in Gen.Int[0, 1_000]
            from pick in Gen.Int[0, 1_000]
            from amount in Gen.Int[0, 100_000]
            select new Mutation(kind, place, pick, amount);

        return
            from template in Gen.Int[0, Templates - 1]
            from version in Gen.Int[0, EdgeCases.Versions.Length - 1]
            from choice in Gen.Int[0, 1_000]
            from mutations in Gen.Frequency((1, Gen.Const(Array.Empty<Mutation>())), (5, mutation.Array[1, 3]))
            select Build(context, template, EdgeCases.Versions[version], choice, mutations);
    }

    private static FuzzRequest Build(FuzzContext c, int template, string version, int choice, Mutation[] mutations)
    {
        var request = Valid(c, template, version, choice);
        foreach (var m in mutations)
        {
            Mutator.Apply(request, m);
        }

        return request;
    }

    private static FuzzRequest Get(string template, string version, string[] segments, params (string Name, string Value)[] query) =>
        new() { Template = template, Method = HttpMethod.Get, Version = version, Segments = [.. segments], Query = [.. query], ContentType = null };

    private static FuzzRequest Valid(FuzzContext c, int template, string version, int choice) => template switch
    {
        0 => Get("get entry", version, ["mediaLibrary", c.EntryId]),
        1 => Get("list by ids", version, ["mediaLibrary"], ("ids", $"{c.EntryId},{c.OtherId},nope")),
        2 => Get("list by externalId", version, ["mediaLibrary"], ("externalId", "fuzz-ext-1"), ("systemName", "fuzz")),
        3 => Get("keys", "2026-03", ["mediaLibrary", c.EntryId, "keys"]),
        4 => Get("incoming documents", version, ["mediaLibrary", c.EntryId, "incomingDocumentReferences"], ("limit", "10"), ("offset", "0")),
        5 => Get("incoming media", "2026-03", ["mediaLibrary", c.EntryId, "incomingMediaReferences"], ("limit", "1"), ("after", "")),
        6 => Patch(c, version, choice),
        7 => ImportMedia(c, version, choice),
        8 => ImportDocuments(c, version, choice),
        9 => new FuzzRequest { Template = "unpublish", Method = HttpMethod.Post, Version = version, Segments = ["documents", (c.DocumentId + (choice % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture), "unpublish"], ContentType = null },
        10 => Get("latest publication", version, ["documents", c.DocumentId.ToString(System.Globalization.CultureInfo.InvariantCulture), "latestPublication"]),
        11 => new FuzzRequest
        {
            Template = "upload", Method = HttpMethod.Post, Version = version, Segments = ["mediaLibrary", "assets"],
            Query = [("filename", choice % 2 == 0 ? "fuzz.jpg" : "f%C3%BCzz%20%F0%9F%98%80.jpg")], RawBody = c.Upload, ContentType = "image/jpeg",
        },
        12 => Get("serve-image", version, ["mediaLibrary", "serve-image", .. c.ServeKey.Split('/')]),
        13 => new FuzzRequest { Template = "serve-image HEAD", Method = HttpMethod.Head, Version = version, Segments = ["mediaLibrary", "serve-image", .. c.ServeKey.Split('/')], ContentType = null },
        15 => ImportByUrl(version, choice),
        17 => Get("usage log", version, ["mediaLibrary", c.EntryId, "usageLog"]),
        19 => Get("serve-image transform", version, ["mediaLibrary", "serve-image", .. c.ServeKey.Split('/')],
            ("w", (40 + (choice % 50)).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("h", "30"), ("fit", "crop"), ("fm", "webp"), ("q", "70"), ("dpr", "1.5")),
        18 => Get("usage log export", "2026-05", ["usageLog"], ("from", "2026-05-01"), ("to", "2026-05-31T00:00:00Z"), ("purpose", "print"), ("state", "confirmed"), ("limit", "10")),
        20 => Get("search", version, ["search", "mediaLibrary"], ("q", "fuzz target"), ("mediaType", "image"), ("state", "active"), ("archived", "false"),
            ("sort", "-updatedAt"), ("limit", "1"), ("createdAt.gte", "2020-01-01"), ("after", choice % 3 == 0 ? "" : c.SearchCursor)),
        21 => new FuzzRequest
        {
            Template = "delete", Method = HttpMethod.Delete, Version = version, Segments = ["mediaLibrary", $"fuzz-{choice % 20}"],
            Query = (choice % 4) switch { 0 => [], 1 => [("version", "1")], 2 => [("force", "true")], _ => [("version", (choice % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("force", "false")] },
            ContentType = null,
        },
        22 => new FuzzRequest
        {
            Template = "batch patch", Method = HttpMethod.Patch, Version = version, Segments = ["mediaLibrary"],
            Json = choice % 3 == 0
                ? O(("entries", A(Item(c.EntryId, PatchBody(c, choice)), Item(c.OtherId, PatchBody(c, choice + 1)), Item("nope", PatchBody(c, choice + 2)))))
                : O(("preserveUpdatedAt", Raw(choice % 2 == 0 ? "true" : "false")), ("entries", A(Item(c.OtherId, PatchBody(c, choice))))),
        },
        23 => new FuzzRequest
        {
            Template = "licence approvals", Method = HttpMethod.Post, Version = version,
            Segments = ["documents", (c.DocumentId + (choice % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture), "licenseApprovals"],
            Json = O(("mediaIds", A(Str(c.EntryId), Str(c.OtherId)))),
        },
        16 => Get("import status", version, ["import", (choice % 3) switch { 0 => "images", 1 => "videos", _ => "files" }, "status"], ("id", c.ImportJobId)),
        _ => new FuzzRequest { Template = "patch (2026-03)", Method = HttpMethod.Patch, Version = "2026-03", Segments = ["mediaLibrary", c.OtherId], Json = PatchBody(c, choice + 1) },
    };

    /// A batch PATCH entry: the single PATCH's body with the entry's id.
    private static Obj Item(string id, Obj body)
    {
        var item = O(("id", Str(id)));
        item.Properties.AddRange(body.Properties);
        return item;
    }

    private static FuzzRequest Patch(FuzzContext c, string version, int choice) =>
        new() { Template = "patch", Method = HttpMethod.Patch, Version = version, Segments = ["mediaLibrary", c.EntryId], Json = PatchBody(c, choice) };

    private static Obj PatchBody(FuzzContext c, int choice)
    {
        FuzzJson[] operations =
        [
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("caption")), ("value", Str($"caption {choice}"))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("tags")), ("value", A(Str("a"), Str("b")))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("priority")), ("value", Num(choice % 11))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("captureDate")), ("value", Str("2026-03-14T09:19:00.000Z"))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("validity")), ("value", O(("from", Str("2026-01-01T00:00:00.000Z"))))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("relatedImage")), ("value", O(("mediaId", Str(c.OtherId))))),
            O(("operation", Str("setMetadataProperty")), ("propertyName", Str("translations")), ("value", O(("fr", O(("title", Str("Titre"))))))),
            O(("operation", Str("revokeAsset")), ("note", Str("rights expired"))),
            O(("operation", Str("unrevokeAsset"))),
            O(("operation", Str("archive"))),
            O(("operation", Str("unarchive"))),
            O(("operation", Str("removeAsset")), ("locale", Str("fr"))),
            O(("operation", Str("replaceAsset")), ("value", c.Asset.Clone())),
            O(("operation", Str("setTranslation")), ("locale", Str(choice % 2 == 0 ? "fr" : "de-CH")), ("metadata", O(("title", Str($"Titre {choice}")))), ("asset", c.Asset.Clone())),
            O(("operation", Str("setTranslation")), ("locale", Str("fr")), ("metadata", O(("caption", Str($"Légende {choice}"))))),
            O(("operation", Str("removeTranslation")), ("locale", Str(choice % 2 == 0 ? "fr" : "it"))),
            O(("operation", Str("addUsageLogEntry")), ("value", O(("purpose", Str("print")), ("state", Str("confirmed")),
                ("publicationDate", Str("2026-05-04T06:00:00+02:00")), ("url", Str("https://paper.example/p3")), ("params", O(("page", Num(1 + (choice % 9)))))))),
            O(("operation", Str("updateUsageLogEntry")), ("usageLogEntryId", Str(c.UsageLogEntryId)),
                ("value", O(("purpose", Str("print")), ("state", Str("pending")), ("params", O(("page", Num(2)))))),
                ("oldValue", O(("purpose", Str("print")), ("state", Str("pending")), ("params", O(("page", Num(1))))))),
            O(("operation", Str("removeUsageLogEntry")), ("usageLogEntryId", Str("nope"))),
            O(("operation", Str("setUsageLogBilling")), ("usageLogEntryId", Str(c.UsageLogEntryId)), ("billing", Raw(choice % 2 == 0 ? "true" : "false"))),
            O(("operation", Str("setImageEdits")), ("value", choice % 3 == 0 ? Raw("null") : O(("rotate", Num(90 * (choice % 4))),
                ("pixelate", A(O(("x", Raw("0.1")), ("y", Raw("0.2")), ("w", Raw("0.3")), ("h", Raw("0.4"))))), ("focalPoint", O(("x", Raw("0.5")), ("y", Raw("0.25"))))))),
        ];
        var first = operations[choice % operations.Length];
        var patches = choice % 5 == 0 ? A(first, operations[(choice / 5) % operations.Length].Clone()) : A(first);
        return choice % 4 == 0 ? O(("version", Num(1 + (choice % 3))), ("patches", patches)) : O(("patches", patches));
    }

    private static FuzzRequest ImportByUrl(string version, int choice)
    {
        var item = O(("url", Str($"http://archive.example.com/p/{choice}.jpg")), ("id", Str($"url-{choice % 20}")), ("fileName", Str("p.jpg")),
            ("metadata", O(("title", Str("Fuzzed")))), ("mediaType", Str("image")));
        return new FuzzRequest
        {
            Template = "import by url", Method = HttpMethod.Post, Version = version, Segments = ["import", "images"],
            Json = O(("systemName", Str("fuzz-url")), ("webhook", Str("https://hooks.example.com/done")), ("context", O(("batch", Num(choice)))), ("images", A(item))),
        };
    }

    private static FuzzRequest ImportMedia(FuzzContext c, string version, int choice)
    {
        var item = O(
            ("id", Str($"fuzz-{choice % 20}")), ("systemName", Str("fuzz")), ("externalId", Str($"fuzz-ext-{choice % 20}")), ("mediaType", Str("image")),
            ("asset", c.Asset.Clone()),
            ("metadata", O(("title", Str("Fuzzed")), ("tags", A(Str("x"))), ("relatedImage", O(("mediaId", Str(c.EntryId)))))),
            ("translations", A(O(("locale", Str("fr")), ("metadata", O(("title", Str("Flou"))))))));
        return new FuzzRequest
        {
            Template = "import media", Method = HttpMethod.Post, Version = version, Segments = ["import", "mediaLibrary"],
            Json = O(("mediaLibraryEntries", A(item))),
        };
    }

    private static FuzzRequest ImportDocuments(FuzzContext c, string version, int choice)
    {
        var component = O(("id", Str("c1")), ("component", Str("image")), ("content", O(("image", O(("mediaId", Str(c.EntryId)))))));
        var document = O(
            ("externalId", Str($"doc-{choice % 10}")), ("contentType", Str("regular")), ("title", Str("Fuzz story")),
            ("metadata", O(("teaser", O(("mediaId", Str(c.OtherId)))))), ("content", A(component)), ("publish", Raw(choice % 2 == 0 ? "true" : "false")));
        return new FuzzRequest
        {
            Template = "import documents", Method = HttpMethod.Post, Version = version, Segments = ["import", "documents"],
            Json = O(("systemName", Str("fuzz")), ("documents", A(document))),
        };
    }
}
