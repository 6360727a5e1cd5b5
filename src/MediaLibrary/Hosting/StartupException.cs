namespace MediaLibrary.Hosting;

/// A problem an operator must fix before the service can start; printed as one line, no stack trace.
public sealed class StartupException(string message) : Exception(message);
