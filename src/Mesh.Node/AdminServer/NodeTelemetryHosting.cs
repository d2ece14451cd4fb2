using Mesh.Node.Identity;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.AccessLog;
using Mesh.Node.Telemetry.Metrics;
using Microsoft.Extensions.Options;

namespace Mesh.Node.AdminServer;

/// <summary>The node's telemetry and admin composition, one call from Program.cs.</summary>
public static class NodeTelemetryHosting
{
    /// <summary>
    /// Registers <see cref="IConnectionTelemetry"/> (what the data path calls), the live connection registry, metrics,
    /// the access log, runtime log levels, readiness and the admin/stats/readiness servers. Needs the node's
    /// <c>NodeViewStore</c> and <see cref="CertificateStore"/> registered as well (resolved lazily).
    /// </summary>
    public static IServiceCollection AddNodeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(Bind<TelemetryOptions>(configuration, TelemetryOptions.Section));
        services.AddSingleton(Bind<AccessLogOptions>(configuration, AccessLogOptions.Section));
        services.AddSingleton(Bind<NodePortsOptions>(configuration, NodePortsOptions.Section));

        services.AddSingleton<LiveConnections>();
        services.AddSingleton<NodeTelemetrySources>();
        services.AddSingleton(sp => new NodeMetrics(sp.GetRequiredService<TelemetryOptions>(), sp.GetRequiredService<LiveConnections>(),
            sp.GetRequiredService<NodeTelemetrySources>(), sp.GetService<CertificateStore>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AccessLogOptions>();
            var metrics = sp.GetRequiredService<NodeMetrics>();
            return new AccessLogHolder(options.Enabled ? AccessLogWriter.Open(options, metrics.AccessLogDropped) : null);
        });
        services.AddSingleton<IConnectionTelemetry>(sp => new ConnectionTelemetry(sp.GetRequiredService<NodeMetrics>(),
            sp.GetRequiredService<LiveConnections>(), sp.GetRequiredService<AccessLogHolder>().Writer,
            sp.GetRequiredService<TelemetryOptions>().ProgressInterval));

        services.AddSingleton<LogLevelSwitch>();
        services.AddSingleton<IConfigureOptions<LoggerFilterOptions>>(sp => sp.GetRequiredService<LogLevelSwitch>());
        services.AddSingleton<IOptionsChangeTokenSource<LoggerFilterOptions>>(sp => sp.GetRequiredService<LogLevelSwitch>());

        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<NodeAdminServers>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeAdminServers>());
        return services;
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    /// <summary>Owns the optional access log writer, so DI disposes (drains) it on shutdown.</summary>
    internal sealed class AccessLogHolder(AccessLogWriter? writer) : IAsyncDisposable
    {
        public AccessLogWriter? Writer { get; } = writer;

        public ValueTask DisposeAsync() => Writer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
