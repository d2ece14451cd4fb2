using System.Text.Json;
using Mesh.Node.Identity;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.Metrics;
using Mesh.Protocol.Admin;
using Microsoft.Extensions.Options;

namespace Mesh.Node.AdminServer;

/// <summary>The routes of the three ztunnel ports. Each port's server maps only its own routes.</summary>
public static class ZtunnelPortEndpoints
{
    private static readonly JsonSerializerOptions Indented = new(AdminJson.Options) { WriteIndented = true };

    /// <summary>15000 (loopback): <c>/config_dump</c> and <c>/logging</c>.</summary>
    public static void MapAdmin(WebApplication app, IServiceProvider node)
    {
        app.MapGet("/config_dump", () =>
        {
            var store = node.GetRequiredService<NodeViewStore>();
            var view = store.View;
            var dump = new ConfigDumpView(store.Node, view.Version, store.Synced, view.Slice.Workloads, view.Slice.Services,
                view.Slice.Policies, CertificateViews.Of(node.GetRequiredService<CertificateStore>(), DateTimeOffset.UtcNow),
                ConnectionViews.Of(node.GetRequiredService<LiveConnections>()));
            return Results.Json(dump, Indented);
        });
        app.MapGet("/logging", () => Results.Json(LoggingView(node), Indented));
        app.MapMethods("/logging", ["POST", "PUT"], (HttpRequest request) =>
        {
            var levels = node.GetRequiredService<LogLevelSwitch>();
            if (request.Query.Count == 0)
                return Results.Text("usage: /logging?level=<level> or /logging?<logger>=<level> (trace|debug|info|warn|error|off)\n",
                    statusCode: StatusCodes.Status400BadRequest);
            LogLevel? defaultLevel = null;
            var perLogger = new List<(string Category, LogLevel Level)>();
            foreach (var (key, values) in request.Query)
            {
                if (!LogLevelSwitch.TryParse(values.ToString(), out var level))
                    return Results.Text($"invalid level '{values}' for '{key}' (trace|debug|info|warn|error|off)\n",
                        statusCode: StatusCodes.Status400BadRequest);
                if (key == "level") defaultLevel = level;
                else perLogger.Add((key, level));
            }
            // "level" first (it clears the overrides), then the per-logger ones of the same request.
            if (defaultLevel is { } all) levels.SetDefault(all);
            foreach (var (category, level) in perLogger) levels.Set(category, level);
            return Results.Json(LoggingView(node), Indented);
        });
    }

    /// <summary>15020 (all interfaces): the Prometheus text format on <c>/metrics</c> and <c>/stats/prometheus</c>.</summary>
    public static void MapStats(WebApplication app, IServiceProvider node)
    {
        var metrics = node.GetRequiredService<NodeMetrics>();
        async Task Scrape(HttpContext context)
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
        }
        app.MapGet("/metrics", Scrape);
        app.MapGet("/stats/prometheus", Scrape);
    }

    /// <summary>15021 (all interfaces): <c>/healthz/ready</c>, 200 when ready, else 503 with the reasons.</summary>
    public static void MapReadiness(WebApplication app, IServiceProvider node)
    {
        var readiness = node.GetRequiredService<NodeReadiness>();
        app.MapGet("/healthz/ready", () =>
        {
            var (ready, pending) = readiness.Check();
            return ready
                ? Results.Text("ready\n")
                : Results.Text($"not ready: {string.Join("; ", pending)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }

    private static LoggingView LoggingView(IServiceProvider node)
    {
        var options = node.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>().CurrentValue;
        var loggers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? fallback = null;
        foreach (var rule in options.Rules.Where(r => r.ProviderName is null && r.Filter is null && r.LogLevel is not null))
        {
            var name = LogLevelSwitch.LevelName(rule.LogLevel!.Value);
            if (rule.CategoryName is null) fallback = name;
            else loggers[rule.CategoryName] = name; // later rules win, as in the logger factory
        }
        return new LoggingView(fallback ?? LogLevelSwitch.LevelName(options.MinLevel), loggers);
    }
}

/// <summary><c>/logging</c>: the default level and the per-logger (category prefix) levels in force.</summary>
public sealed record LoggingView(string Level, IReadOnlyDictionary<string, string> Loggers);
