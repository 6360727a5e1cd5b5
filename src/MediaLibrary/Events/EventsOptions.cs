namespace MediaLibrary.Events;

/// `MediaLibrary:Events` settings.
public sealed class EventsOptions
{
    /// Events older than this are deleted from the log (and their finished deliveries with them).
    public int RetentionDays { get; set; } = 30;

    /// How often each process looks for validity boundaries that have passed (SPEC: within 10 s).
    public double ClockSeconds { get; set; } = 1;

    /// How often each process gives committed events their feed ids when nothing told it to sooner.
    public int SequencerPollMilliseconds { get; set; } = 250;
}

/// `MediaLibrary:Webhooks` settings (the webhooks themselves are in the project config file).
public sealed class WebhookOptions
{
    /// Loopback, private, link-local and unique-local targets are refused unless this is true.
    public bool AllowPrivateTargets { get; set; }

    /// A receiver that has not answered after this many seconds has failed this attempt.
    public double TimeoutSeconds { get; set; } = 10;

    /// The first retry comes after about this many seconds; each one doubles it, up to an hour.
    public double RetryBaseSeconds { get; set; } = 10;

    /// Retries are never further apart than this (SPEC: at most an hour).
    public double MaxRetryDelaySeconds { get; set; } = 3600;

    /// After this many hours of failures a delivery is given up (`failed`).
    public double GiveUpHours { get; set; } = 24;

    /// Deliveries in flight per webhook and process: a slow receiver holds only its own.
    public int ConcurrencyPerWebhook { get; set; } = 32;
}
