using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Mesh.Control.Config.Files;

/// <summary>
/// The embedded-default config source: every *.yaml / *.yml under a directory (recursively, in path order), watched
/// for changes. Each file is applied as a unit and keeps its last good content while it is broken, so a half-saved
/// or mistyped file never takes workloads or policies away; the error is reported instead.
/// <see cref="Changed"/> fires only when the objects, errors or warnings actually change, in order, one at a time.
/// </summary>
public sealed class ManifestDirectorySource : IDisposable
{
    private readonly string _directory;
    private readonly ManifestSourceOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private Timer? _poll;
    private string? _fingerprint;
    private bool _dirty = true;
    private bool _hadScanErrors;
    private bool _disposed;

    /// <summary>Per file: the hash of what we last read, the parse of it, and the last parse without errors.</summary>
    private sealed record FileState(string Hash, ManifestParseResult Latest, ManifestParseResult? LastGood);

    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public ManifestDirectorySource(string directory, ManifestSourceOptions options, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        if (!Directory.Exists(_directory))
            throw new DirectoryNotFoundException($"manifest directory '{directory}' does not exist");
        _options = options;
        _logger = logger;
    }

    /// <summary>The watched directory, as a full path.</summary>
    public string DirectoryPath => _directory;

    public ManifestSnapshot Current { get; private set; } = ManifestSnapshot.Empty;

    /// <summary>Raised after a reload that changed the snapshot; handlers run on the reloading thread, serially.</summary>
    public event Action<ManifestSnapshot>? Changed;

    /// <summary>Loads the directory and starts watching it.</summary>
    public void Start()
    {
        if (!Directory.Exists(_directory))
            throw new DirectoryNotFoundException($"manifest directory '{_directory}' does not exist");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_watcher is not null)
                return;
            _debounce = new Timer(_ => SafeReload("file change"));
            _watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Created += OnFileEvent;
            _watcher.Changed += OnFileEvent;
            _watcher.Deleted += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.Error += OnWatcherError;
            _watcher.EnableRaisingEvents = true;
            if (_options.PollInterval != Timeout.InfiniteTimeSpan)
                _poll = new Timer(_ => SafeReload("poll"), null, _options.PollInterval, _options.PollInterval);
        }
        Reload();
    }

    /// <summary>Re-reads the directory now (changed files only are re-parsed) and returns the resulting snapshot.</summary>
    public ManifestSnapshot Reload()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var scanErrors = new List<ManifestError>();
            var seen = Scan(scanErrors);
            if (!_dirty && scanErrors.Count == 0 && !_hadScanErrors)
                return Current;
            _dirty = false;
            _hadScanErrors = scanErrors.Count > 0;

            var ordered = seen.Order(StringComparer.Ordinal).Select(f => _files[f]).ToList();
            var built = ManifestSetBuilder.Build(ordered.Where(f => f.LastGood is not null).Select(f => f.LastGood!));
            var errors = scanErrors.Concat(ordered.SelectMany(f => f.Latest.Errors)).Concat(built.Errors).ToList();
            var warnings = ordered.SelectMany(f => (f.LastGood ?? f.Latest).Warnings).ToList();

            var fingerprint = built.Fingerprint + "\n--\n" + string.Join("\n", errors) + "\n--\n" + string.Join("\n", warnings);
            if (fingerprint == _fingerprint)
                return Current;
            _fingerprint = fingerprint;
            Current = new ManifestSnapshot(built.Set, errors, warnings, ordered.Count, DateTimeOffset.UtcNow);
            Log(Current);
            Changed?.Invoke(Current);
            return Current;
        }
    }

    /// <summary>Reads every manifest file, re-parsing those whose content hash changed. Returns the relative paths present.</summary>
    private List<string> Scan(List<ManifestError> scanErrors)
    {
        List<string> paths;
        try
        {
            paths = EnumerateManifests().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep everything as it was: a vanished or unreadable directory must not wipe the mesh's config.
            scanErrors.Add(new ManifestError(_directory, null, $"manifest directory '{_directory}' cannot be read: {e.Message}; keeping the last loaded state"));
            return [.. _files.Keys];
        }

        var present = new List<string>(paths.Count);
        foreach (var full in paths)
        {
            var rel = Path.GetRelativePath(_directory, full).Replace('\\', '/');
            present.Add(rel);
            string content;
            try
            {
                content = File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var error = new ManifestError(rel, null, $"{rel}: cannot be read: {e.Message}");
                var previous = _files.GetValueOrDefault(rel);
                var latest = new ManifestParseResult(rel, [], [error], []);
                if (previous?.Latest.Errors.SequenceEqual(latest.Errors) != true)
                    _dirty = true;
                _files[rel] = new FileState("", latest, previous?.LastGood);
                continue;
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
            if (_files.TryGetValue(rel, out var state) && state.Hash == hash)
                continue;
            var parsed = ManifestParser.Parse(rel, content);
            _files[rel] = new FileState(hash, parsed, parsed.IsValid ? parsed : state?.LastGood);
            _dirty = true;
        }

        foreach (var gone in _files.Keys.Except(present, StringComparer.Ordinal).ToList())
        {
            _files.Remove(gone);
            _dirty = true;
        }
        return present;
    }

    /// <summary>
    /// *.yaml and *.yml, skipping dot-files and dot-directories: editor swap/backup files (.x.yaml.swp, .#x.yaml) and
    /// the ..data / ..2024_01_01 directories of Kubernetes ConfigMap volumes, which would otherwise load every file twice.
    /// </summary>
    private IEnumerable<string> EnumerateManifests()
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(_directory, "*", options)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Where(f => !Path.GetRelativePath(_directory, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        lock (_gate)
        {
            if (!_disposed)
                _debounce?.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        _logger.LogWarning(e.GetException(), "Watching manifest directory {Directory} failed; rescanning", _directory);
        OnFileEvent(sender, new FileSystemEventArgs(WatcherChangeTypes.All, _directory, null));
    }

    private void SafeReload(string reason)
    {
        try
        {
            lock (_gate)
            {
                if (_disposed)
                    return;
            }
            Reload();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            // A timer callback must not throw (it would crash the process); the next event or poll retries.
            _logger.LogError(e, "Reloading manifest directory {Directory} after {Reason} failed", _directory, reason);
        }
    }

    private void Log(ManifestSnapshot snapshot)
    {
        var s = snapshot.Set;
        _logger.LogInformation(
            "Manifests loaded from {Directory}: {Files} files, {Namespaces} namespaces, {Pods} pods ({Deployments} deployments), {Services} services, {Policies} authorization policies, {Errors} errors",
            _directory, snapshot.Files, s.Namespaces.Length, s.Pods.Length, s.Deployments.Length, s.Services.Length,
            s.AuthorizationPolicies.Length, snapshot.Errors.Count);
        foreach (var error in snapshot.Errors)
            _logger.LogWarning("Manifest error: {Error}", error.Message);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _watcher?.Dispose();
            _debounce?.Dispose();
            _poll?.Dispose();
        }
    }
}
