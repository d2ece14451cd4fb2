using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Mesh.Node.AdminServer;

/// <summary>
/// Runtime log levels for <c>/logging</c>. It takes part in building <see cref="LoggerFilterOptions"/> (its rules are
/// added after the host's own, so for the same category they win) and signals a change, upon which the logger factory
/// re-reads the options and updates every existing logger. <c>level=</c> sets the default for all categories without
/// a more specific rule and clears the per-logger overrides (as ztunnel's <c>level=</c> does); <c>&lt;logger&gt;=&lt;level&gt;</c>
/// sets one category prefix.
/// </summary>
public sealed class LogLevelSwitch : IConfigureOptions<LoggerFilterOptions>, IOptionsChangeTokenSource<LoggerFilterOptions>
{
    private readonly ConcurrentDictionary<string, LogLevel> _overrides = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private LogLevel? _default;

    public string? Name => Options.DefaultName;

    public LogLevel? Default => _default;

    public IReadOnlyDictionary<string, LogLevel> Overrides => _overrides;

    public IChangeToken GetChangeToken()
    {
        lock (_gate) return new CancellationChangeToken(_changed.Token);
    }

    public void Configure(LoggerFilterOptions options)
    {
        if (_default is { } level)
        {
            options.MinLevel = level;
            options.Rules.Add(new LoggerFilterRule(null, null, level, null));
        }
        foreach (var (category, categoryLevel) in _overrides)
            options.Rules.Add(new LoggerFilterRule(null, category, categoryLevel, null));
    }

    public void SetDefault(LogLevel level)
    {
        _default = level;
        _overrides.Clear();
        Signal();
    }

    public void Set(string category, LogLevel level)
    {
        _overrides[category] = level;
        Signal();
    }

    private void Signal()
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
        }
        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>ztunnel's level names (trace, debug, info, warn, error, off) and .NET's, case-insensitive.</summary>
    public static bool TryParse(string? text, out LogLevel level)
    {
        level = LogLevel.None;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "trace": level = LogLevel.Trace; return true;
            case "debug": level = LogLevel.Debug; return true;
            case "info" or "information": level = LogLevel.Information; return true;
            case "warn" or "warning": level = LogLevel.Warning; return true;
            case "error": level = LogLevel.Error; return true;
            case "critical": level = LogLevel.Critical; return true;
            case "off" or "none": level = LogLevel.None; return true;
            default: return false;
        }
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "off",
    };
}
