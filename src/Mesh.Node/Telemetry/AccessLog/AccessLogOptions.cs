namespace Mesh.Node.Telemetry.AccessLog;

public enum AccessLogFormat { Logfmt, Json }

/// <summary>Access log settings, bound from "Mesh:Node:AccessLog".</summary>
public sealed class AccessLogOptions
{
    public const string Section = "Mesh:Node:AccessLog";

    /// <summary><c>logfmt</c> (default; ztunnel's key=value style) or <c>json</c> (one object per line).</summary>
    public AccessLogFormat Format { get; set; } = AccessLogFormat.Logfmt;

    /// <summary>A file to append to, <c>stdout</c> (default), or <c>off</c> to disable the access log.</summary>
    public string Path { get; set; } = "stdout";

    /// <summary>Lines queued for the writer; when full, new lines are dropped and counted (the data path never waits).</summary>
    public int QueueCapacity { get; set; } = 4096;

    public bool Enabled => !string.Equals(Path, "off", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(Path);

    public bool ToStdout => string.Equals(Path, "stdout", StringComparison.OrdinalIgnoreCase) || Path == "-";
}
