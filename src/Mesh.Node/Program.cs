using Mesh.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Node.Admin;
using Mesh.Node.Hosting;
using Microsoft.Extensions.Options;

// mesh-node: the ztunnel. Joins the cluster, keeps its node's view of the mesh state, and carries the traffic of the
// pods its node agent hands over (ZDS). The composition is in Hosting/ZtunnelHosting.cs.
WebApplication app;
MeshMemberOptions member;
try
{
    (var builder, member) = MeshHost.CreateBuilder(args, MeshRoles.Node, (akka, services, _) => akka.WithZtunnel(services));
    builder.Services.AddZtunnel(builder.Configuration);
    app = builder.Build();
    app.MapMeshCommands();
    app.MapNodeCommands();
    await app.StartAsync(); // options are bound and validated here (IOptions, ValidateOnStart)
}
catch (Exception e) when (MeshHost.BadSetting(e) is { } why)
{
    // A value that does not parse (the binder names the key) or that a validator refused.
    Console.Error.WriteLine($"mesh-node: invalid configuration: {why}");
    return 2;
}
var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
app.Logger.LogInformation("mesh-node {Node} started: remoting {Host}:{Port}, command endpoint {Bind}:{AdminPort}, ZDS {Zds}",
    member.Name, member.Hostname, member.Port, member.AdminBind, member.AdminPort, node.ZdsSocket ?? "(none)");
await app.WaitForShutdownAsync();
return 0;
