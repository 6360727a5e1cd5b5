namespace MediaLibrary.Hosting;

/// `MediaLibrary:Limits`: what one request may carry. Defaults are the Livingdocs contract's.
public sealed class LimitsOptions
{
    /// Nesting depth of JSON bodies (400 deeper).
    public int MaxJsonDepth { get; set; } = 64;

    /// Total size of request headers (431 above); Kestrel's own limit sits at twice this.
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// Operations in one PATCH (400 above).
    public int MaxPatches { get; set; } = 100;

    /// Ids in one `GET /mediaLibrary?ids=` (400 above).
    public int MaxListIds { get; set; } = 100;

    /// Entries or documents in one import call (400 above).
    public int MaxImportItems { get; set; } = 100;
}
