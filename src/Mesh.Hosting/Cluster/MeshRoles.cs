namespace Mesh.Hosting.Cluster;

/// <summary>Cluster roles; sharded state lives on <see cref="Control"/> members only.</summary>
public static class MeshRoles
{
    public const string Control = "control";
    public const string Node = "node";
    public const string Waypoint = "waypoint";
}
