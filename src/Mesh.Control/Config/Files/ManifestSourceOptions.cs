namespace Mesh.Control.Config.Files;

/// <summary>Tuning for <see cref="ManifestDirectorySource"/>.</summary>
public sealed record ManifestSourceOptions
{
    /// <summary>Quiet time after the last file event before reloading: editors save in several steps
    /// (write temp, rename, chmod) and `cp -r` creates many files; one reload for the whole burst. Default 200 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Fallback re-scan (content hash per file) for events the watcher misses: network and container
    /// mounts, inotify queue overflow, ConfigMap symlink swaps. Default 2 s; <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public static ManifestSourceOptions Default { get; } = new();
}
