namespace MediaLibrary.Imports;

/// `MediaLibrary:Imports` settings (import by URL, SPEC §9).
public sealed class ImportOptions
{
    /// Loopback, private, link-local, CGNAT and unique-local sources are refused unless this is true.
    public bool AllowPrivateTargets { get; set; }

    /// Private networks that may be fetched from anyway, comma-separated (`10.20.0.0/16, 192.168.7.12`):
    /// an archive server inside the newsroom's network.
    public string? AllowedNetworks { get; set; }

    /// Items fetched at the same time by one process; 0 leaves the work to other processes (this
    /// one still accepts jobs and answers their status).
    public int Concurrency { get; set; } = 4;

    /// Items fetched at the same time from one source host by one process.
    public int ConcurrencyPerHost { get; set; } = 2;

    /// Seconds one item may take to arrive, redirects included.
    public double ItemTimeoutSeconds { get; set; } = 60;

    /// Redirects followed per item, each checked like the first address.
    public int MaxRedirects { get; set; } = 5;

    /// Attempts per item when the source fails in a way that may pass (no connection, 5xx, 429).
    public int MaxAttempts { get; set; } = 3;

    /// Seconds before the second attempt; each further one waits twice as long.
    public double RetryBaseSeconds { get; set; } = 10;

    /// Signs the completion webhook (`x-livingdocs-signature`); unsigned when empty.
    public string? WebhookSecret { get; set; }

    /// Finished jobs (and their items) are deleted this many days after they finished; their entries stay.
    public double RetentionDays { get; set; } = 30;

    /// How often an idle process looks for items left by others (a new job here wakes it at once).
    public double PollSeconds { get; set; } = 2;
}
