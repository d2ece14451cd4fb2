using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Pods;

/// <summary>What to run for one container: a program and its arguments, or why the pod cannot run.</summary>
public sealed record ContainerProgram(string? Program, IReadOnlyList<string> Args, string? Error = null, string? Note = null);

/// <summary>
/// Local mode has no container runtime: built-in images map to programs the project ships or the host has, and any
/// other image runs its container's <c>command</c> on the host (the image itself is ignored).
/// </summary>
public static class ImageMapper
{
    public const string EchoImage = "meshactors/echo";
    private static readonly string[] SleepLike = ["meshactors/sleep", "curl", "busybox", "alpine", "sleep"];

    /// <summary>"docker.io/curlimages/curl:8.5" → "curlimages/curl"; "busybox@sha256:…" → "busybox".</summary>
    public static string Repository(string image)
    {
        var name = image;
        var at = name.IndexOf('@');
        if (at >= 0) name = name[..at];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > slash) name = name[..colon];
        var parts = name.Split('/');
        // A first segment with a dot or port is a registry host.
        if (parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost")) parts = parts[1..];
        if (parts.Length > 1 && parts[0] == "library") parts = parts[1..];
        return string.Join('/', parts);
    }

    public static ContainerProgram Map(LocalContainer container, Func<string> echoDll, string dotnet)
    {
        var repository = Repository(container.Image);
        var last = repository.Split('/')[^1];
        if (container.Command.Count > 0)
        {
            var note = repository == EchoImage || IsSleepLike(repository, last) ? null
                : $"image '{container.Image}' is not built in; running the container's command on the host";
            return new ContainerProgram(container.Command[0], [.. container.Command.Skip(1), .. container.Args], Note: note);
        }
        if (repository == EchoImage) return new ContainerProgram(dotnet, [echoDll(), .. container.Args]);
        if (IsSleepLike(repository, last))
        {
            // No ENTRYPOINT in these images: args alone form the command, as with docker run busybox sleep 10.
            return container.Args.Count > 0
                ? new ContainerProgram(container.Args[0], container.Args.Skip(1).ToList())
                : new ContainerProgram("sleep", ["infinity"]);
        }
        return new ContainerProgram(null, [],
            Error: $"image '{container.Image}' is not built in to local mode (built in: {EchoImage}, meshactors/sleep); give container '{container.Name}' a command");
    }

    private static bool IsSleepLike(string repository, string last) =>
        SleepLike.Contains(repository, StringComparer.Ordinal) || SleepLike.Contains(last, StringComparer.Ordinal);
}
