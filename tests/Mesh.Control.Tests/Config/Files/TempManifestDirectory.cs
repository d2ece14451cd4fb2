using Mesh.Control.Config.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Control.Tests.Config.Files;

/// <summary>A temp directory with a running source; waits on Changed events with a deadline, never sleeps.</summary>
internal sealed class TempManifestDirectory : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public string Path { get; } = Directory.CreateTempSubdirectory("mesh-manifests-").FullName;
    public ManifestDirectorySource Source { get; }

    public TempManifestDirectory(string? copyFrom = null, ManifestSourceOptions? options = null)
    {
        if (copyFrom is not null)
            CopyTree(copyFrom, Path);
        Source = new ManifestDirectorySource(Path, options ?? new ManifestSourceOptions { Debounce = TimeSpan.FromMilliseconds(50) }, NullLogger.Instance);
    }

    public static string TestData(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Config", "Files", "TestData", name);

    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Runs the action and waits until a snapshot satisfying the condition is current.</summary>
    public async Task<ManifestSnapshot> ChangeAndWait(Action change, Func<ManifestSnapshot, bool> condition)
    {
        var tcs = new TaskCompletionSource<ManifestSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ManifestSnapshot s)
        {
            if (condition(s))
                tcs.TrySetResult(s);
        }
        Source.Changed += OnChanged;
        try
        {
            change();
            if (condition(Source.Current))
                tcs.TrySetResult(Source.Current);
            return await tcs.Task.WaitAsync(Deadline);
        }
        finally
        {
            Source.Changed -= OnChanged;
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        Source.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
