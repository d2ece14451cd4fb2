using Akka.Actor;
using Akka.Hosting;
using Mesh.Control.Hosting;

namespace Mesh.Control.Ca;

/// <summary>Starts the CA actor at <c>/user/ca</c> on a control member.</summary>
public static class CaHosting
{
    public static AkkaConfigurationBuilder WithCa(this AkkaConfigurationBuilder akka, IServiceProvider services) =>
        akka.WithActors((system, registry) =>
        {
            var ca = services.GetRequiredService<CertificateAuthority>();
            var pipeline = services.GetRequiredService<ConfigPipeline>();
            registry.Register<CaActor>(system.ActorOf(
                Props.Create(() => new CaActor(ca, CaActor.NodeMembersOf(system), () => pipeline.State.Workloads)), "ca"));
        });

    /// <summary>Where a generated root is kept when no directory is configured.</summary>
    public static string DefaultStateDir()
    {
        if (Environment.UserName == "root") return "/var/lib/meshactors/ca";
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "meshactors", "ca");
    }
}
