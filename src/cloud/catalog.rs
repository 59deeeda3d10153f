//! The EC2 instance catalog and Karpenter's allocatable math.
//!
//! Instance facts (vCPU, memory, ENIs, IPv4 addresses per ENI, local NVMe) are embedded from
//! `data/instance-types.csv`; its header names the upstream generated files they come from.
//! Allocatable follows aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`
//! (`computeCapacity`, `memory`, `ENILimitedPods`, `kubeReservedResources`,
//! `evictionThreshold`) and kubernetes-sigs/karpenter `pkg/cloudprovider/types.go`
//! (`computeAllocatable`):
//!
//! - capacity cpu = vCPU × 1000 m;
//! - capacity memory = `S − ceil(S × VM_MEMORY_OVERHEAD_PERCENT)` MiB with `S` the EC2 memory
//!   minus 64 MiB on arm64 (nothing on amd64), and the overhead 0.075
//!   (`pkg/operator/options/options.go`);
//! - pods = `ENIs × (IPv4 per ENI − 1) + 2` unless the EC2NodeClass sets `kubelet.maxPods`, then
//!   `min(podsPerCore × vCPU, pods)` when `podsPerCore` is set;
//! - kube-reserved memory = `11 × ENI-limited pods + 255` MiB (AL2/AL2023 use the ENI-limited
//!   count even when `maxPods` is overridden); kube-reserved CPU = 6 % of the first core, 1 % of
//!   the second, 0.5 % of cores 3–4 and 0.25 % of every further core;
//! - eviction threshold = 100 MiB of memory (`evictionHard memory.available`);
//! - allocatable = capacity − kube-reserved − system-reserved − eviction threshold.

use crate::resources::{MIB, Resources};
use serde::Deserialize;
use std::collections::BTreeMap;

const INSTANCE_TYPES_CSV: &str = include_str!("../../data/instance-types.csv");

/// `VM_MEMORY_OVERHEAD_PERCENT` default (aws `pkg/operator/options/options.go`).
pub const VM_MEMORY_OVERHEAD_PERCENT: f64 = 0.075;

/// CPU architecture label values (`kubernetes.io/arch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// 64-bit ARM (Graviton).
    Arm64,
    /// 64-bit x86.
    Amd64,
}

impl Arch {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::Arm64 => "arm64",
            Arch::Amd64 => "amd64",
        }
    }
}

/// One EC2 instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    /// API name, e.g. `m7g.xlarge`.
    pub name: String,
    /// Family, e.g. `m7g`.
    pub family: String,
    /// Category letters, e.g. `m`.
    pub category: String,
    /// Generation number, e.g. `7`.
    pub generation: u32,
    /// Size, e.g. `xlarge`.
    pub size: String,
    /// Architecture.
    pub arch: Arch,
    /// Number of vCPUs.
    pub vcpu: i64,
    /// Memory reported by EC2, in MiB.
    pub memory_mib: i64,
    /// Maximum network interfaces on the default network card.
    pub max_enis: i64,
    /// IPv4 addresses per interface.
    pub ipv4_per_eni: i64,
    /// Local NVMe storage in GB (0 when none).
    pub local_nvme_gb: i64,
}

#[derive(Debug, Deserialize)]
struct Row {
    instance_type: String,
    arch: String,
    vcpu: i64,
    memory_mib: i64,
    max_enis: i64,
    ipv4_per_eni: i64,
    local_nvme_gb: i64,
}

/// Kubelet settings that change allocatable (EC2NodeClass `spec.kubelet`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeletConfig {
    /// `maxPods` override.
    pub max_pods: Option<i64>,
    /// `podsPerCore`.
    pub pods_per_core: Option<i64>,
    /// `kubeReserved` overrides per resource (cpu millicores, memory bytes).
    pub kube_reserved: ReservedOverride,
    /// `systemReserved` per resource.
    pub system_reserved: ReservedOverride,
    /// `evictionHard["memory.available"]`.
    pub eviction_memory: Option<EvictionValue>,
}

/// Per-resource reservation overrides.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReservedOverride {
    /// CPU in millicores.
    pub cpu_m: Option<i64>,
    /// Memory in bytes.
    pub mem_b: Option<i64>,
}

/// An eviction threshold: an absolute quantity or a percentage of capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EvictionValue {
    /// Bytes.
    Bytes(i64),
    /// Percent of capacity, rounded up (`ceil(capacity × p / 100)`).
    Percent(f64),
}

impl InstanceType {
    /// Pods allowed by the VPC CNI without prefix delegation: `ENIs × (IPv4 − 1) + 2`.
    pub fn eni_limited_pods(&self) -> i64 {
        self.max_enis * (self.ipv4_per_eni - 1) + 2
    }

    /// Capacity as Karpenter estimates it before a node of this type registers.
    pub fn capacity(&self, kubelet: &KubeletConfig) -> Resources {
        let mut s = self.memory_mib;
        if self.arch == Arch::Arm64 {
            s -= 64;
        }
        let overhead = (s as f64 * VM_MEMORY_OVERHEAD_PERCENT).ceil() as i64;
        let mut pods = kubelet.max_pods.unwrap_or_else(|| self.eni_limited_pods());
        if let Some(ppc) = kubelet.pods_per_core
            && ppc > 0
        {
            pods = pods.min(ppc * self.vcpu);
        }
        Resources::new(self.vcpu * 1000, (s - overhead) * MIB, pods)
    }

    /// Default kube-reserved (cpu millicores, memory bytes).
    pub fn kube_reserved_default(&self) -> (i64, i64) {
        let mem = (11 * self.eni_limited_pods() + 255) * MIB;
        (kube_reserved_cpu_m(self.vcpu * 1000), mem)
    }

    /// Allocatable = capacity − kube-reserved − system-reserved − eviction threshold.
    pub fn allocatable(&self, kubelet: &KubeletConfig) -> Resources {
        let cap = self.capacity(kubelet);
        let (kr_cpu, kr_mem) = self.kube_reserved_default();
        let kr_cpu = kubelet.kube_reserved.cpu_m.unwrap_or(kr_cpu);
        let kr_mem = kubelet.kube_reserved.mem_b.unwrap_or(kr_mem);
        let sr_cpu = kubelet.system_reserved.cpu_m.unwrap_or(0);
        let sr_mem = kubelet.system_reserved.mem_b.unwrap_or(0);
        let evict = match kubelet.eviction_memory {
            None => 100 * MIB,
            Some(EvictionValue::Bytes(b)) => b,
            Some(EvictionValue::Percent(p)) => (cap.mem_b as f64 * p / 100.0).ceil() as i64,
        };
        Resources::new(
            (cap.cpu_m - kr_cpu - sr_cpu).max(0),
            (cap.mem_b - kr_mem - sr_mem - evict).max(0),
            cap.pods,
        )
    }

    /// The well-known labels of this type (zone and capacity type are per offering).
    pub fn labels(&self) -> Vec<(&'static str, String)> {
        vec![
            ("node.kubernetes.io/instance-type", self.name.clone()),
            ("kubernetes.io/arch", self.arch.as_str().to_string()),
            ("kubernetes.io/os", "linux".to_string()),
            ("karpenter.k8s.aws/instance-family", self.family.clone()),
            ("karpenter.k8s.aws/instance-category", self.category.clone()),
            (
                "karpenter.k8s.aws/instance-generation",
                self.generation.to_string(),
            ),
            ("karpenter.k8s.aws/instance-size", self.size.clone()),
            ("karpenter.k8s.aws/instance-cpu", self.vcpu.to_string()),
            (
                "karpenter.k8s.aws/instance-memory",
                self.memory_mib.to_string(),
            ),
            (
                "karpenter.k8s.aws/instance-local-nvme",
                self.local_nvme_gb.to_string(),
            ),
        ]
    }

    /// True for bare-metal types (`metal`, `metal-24xl`, `metal-48xl`, …), which Karpenter
    /// de-prioritises: aws `pkg/providers/instance/filter` `ExoticInstanceTypeFilter` drops every
    /// type whose `karpenter.k8s.aws/instance-size` contains `metal`.
    pub fn is_metal(&self) -> bool {
        self.size.contains("metal")
    }
}

/// Kube-reserved CPU for a node with `cpu_m` millicores: 6 % of the first core, 1 % of the
/// second, 0.5 % of cores 3–4 and 0.25 % of the rest, each band truncated to whole millicores
/// (aws `kubeReservedResources`; awslabs/amazon-eks-ami `getCPUMillicoresToReserve`).
pub fn kube_reserved_cpu_m(cpu_m: i64) -> i64 {
    const BANDS: [(i64, i64, i64); 4] = [
        (0, 1000, 600),
        (1000, 2000, 100),
        (2000, 4000, 50),
        (4000, i64::MAX, 25),
    ];
    let mut total = 0;
    for (start, end, per_10000) in BANDS {
        if cpu_m > start {
            let width = cpu_m.min(end) - start;
            total += width * per_10000 / 10000;
        }
    }
    total
}

/// Splits an instance type name into (family, category, generation, size), following the
/// regular expression `(^[a-z]+)(\-[0-9]+tb)?([0-9]+).*\.` of aws `computeRequirements`.
pub fn split_name(name: &str) -> Option<(String, String, u32, String)> {
    let (family, size) = name.split_once('.')?;
    let cat_len = family
        .bytes()
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    if cat_len == 0 {
        return None;
    }
    let rest = &family[cat_len..];
    let rest = rest
        .strip_prefix('-')
        .map(|r| {
            r.trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches("tb")
        })
        .unwrap_or(rest);
    let gen_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if gen_len == 0 || size.is_empty() {
        return None;
    }
    let generation = rest[..gen_len].parse().ok()?;
    Some((
        family.to_string(),
        family[..cat_len].to_string(),
        generation,
        size.to_string(),
    ))
}

/// The set of known instance types, in a fixed order.
#[derive(Debug, Clone)]
pub struct Catalog {
    types: Vec<InstanceType>,
    by_name: BTreeMap<String, usize>,
}

impl Catalog {
    /// The embedded catalog.
    pub fn embedded() -> Catalog {
        Catalog::from_csv(INSTANCE_TYPES_CSV).expect("embedded instance catalog is valid")
    }

    /// Parses a catalog CSV (comment lines start with `#`).
    pub fn from_csv(text: &str) -> Result<Catalog, String> {
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut rdr = csv::Reader::from_reader(body.as_bytes());
        let mut types = Vec::new();
        for (i, row) in rdr.deserialize::<Row>().enumerate() {
            let row = row.map_err(|e| format!("row {}: {e}", i + 1))?;
            let (family, category, generation, size) = split_name(&row.instance_type)
                .ok_or_else(|| format!("row {}: bad instance type name", i + 1))?;
            let arch = match row.arch.as_str() {
                "arm64" => Arch::Arm64,
                "amd64" | "x86_64" => Arch::Amd64,
                other => return Err(format!("row {}: unknown arch {other:?}", i + 1)),
            };
            types.push(InstanceType {
                name: row.instance_type,
                family,
                category,
                generation,
                size,
                arch,
                vcpu: row.vcpu,
                memory_mib: row.memory_mib,
                max_enis: row.max_enis,
                ipv4_per_eni: row.ipv4_per_eni,
                local_nvme_gb: row.local_nvme_gb,
            });
        }
        let by_name = types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Ok(Catalog { types, by_name })
    }

    /// All types in catalog order.
    pub fn types(&self) -> &[InstanceType] {
        &self.types
    }

    /// Index of a type by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// A type by index.
    pub fn get(&self, idx: usize) -> &InstanceType {
        &self.types[idx]
    }

    /// Names of all types, for error messages.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_reserved_cpu_matches_published_bands() {
        // aws/karpenter-provider-aws docs and the EKS AMI: 1 vCPU 60m, 2: 70m, 4: 80m, 8: 90m,
        // 16: 110m, 32: 150m, 48: 190m, 64: 230m, 96: 310m.
        for (vcpu, want) in [
            (1, 60),
            (2, 70),
            (4, 80),
            (8, 90),
            (16, 110),
            (32, 150),
            (48, 190),
            (64, 230),
            (96, 310),
        ] {
            assert_eq!(kube_reserved_cpu_m(vcpu * 1000), want, "{vcpu} vCPU");
        }
    }

    #[test]
    fn allocatable_matches_karpenter_docs_for_every_embedded_type() {
        // The karpenter_allocatable_* columns of shared/reference/aws-instances.csv, taken from
        // aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md.
        let expected: &[(&str, i64, i64, i64)] = &[
            ("m7g.medium", 940, 3286, 8),
            ("m7g.large", 1930, 6844, 29),
            ("m7g.xlarge", 3920, 14103, 58),
            ("m7g.2xlarge", 7910, 29258, 58),
            ("m7g.4xlarge", 15890, 57632, 234),
            ("m7g.8xlarge", 31850, 118253, 234),
            ("m7g.12xlarge", 47810, 178874, 234),
            ("m7g.16xlarge", 63770, 233962, 737),
            ("m7gd.xlarge", 3920, 14103, 58),
            ("m7gd.2xlarge", 7910, 29258, 58),
            ("c7g.medium", 940, 1392, 8),
            ("c7g.large", 1930, 3055, 29),
            ("c7g.xlarge", 3920, 6525, 58),
            ("c7g.2xlarge", 7910, 14103, 58),
            ("c7g.16xlarge", 63770, 112720, 737),
            ("r7g.medium", 940, 7075, 8),
            ("r7g.2xlarge", 7910, 59568, 58),
            ("r7g.16xlarge", 63770, 476445, 737),
            ("r7gd.8xlarge", 31850, 239495, 234),
        ];
        let cat = Catalog::embedded();
        for (name, cpu, mem_mib, pods) in expected {
            let it = cat.get(cat.index_of(name).unwrap());
            let a = it.allocatable(&KubeletConfig::default());
            assert_eq!(a, Resources::new(*cpu, mem_mib * MIB, *pods), "{name}");
        }
        assert_eq!(cat.types().len(), 87);
        let arm = cat.types().iter().filter(|t| t.arch == Arch::Arm64).count();
        assert_eq!((arm, cat.types().len() - arm), (54, 33));
    }

    #[test]
    fn allocatable_matches_karpenter_docs_for_x86_types() {
        // The `Resources` tables (cpu, memory, pods) of aws/karpenter-provider-aws
        // website/content/en/docs/reference/instance-types.md at commit 692ccdd0629e. amd64 has
        // no 64 MiB deduction, so m7i.xlarge gets 59 MiB more than m7g.xlarge (14162 vs 14103).
        let expected: &[(&str, i64, i64, i64)] = &[
            ("m7i.large", 1930, 6903, 29),
            ("m7i.xlarge", 3920, 14162, 58),
            ("m7i.2xlarge", 7910, 29317, 58),
            ("m7i.16xlarge", 63770, 234021, 737),
            ("m7i.24xlarge", 95690, 355262, 737),
            ("m7i.metal-24xl", 95690, 355262, 737),
            ("m7i.48xlarge", 191450, 718987, 737),
            ("c7i.large", 1930, 3114, 29),
            ("c7i.2xlarge", 7910, 14162, 58),
            ("c7i.4xlarge", 15890, 27381, 234),
            ("c7i.12xlarge", 47810, 88002, 234),
            ("c7i.metal-48xl", 191450, 355262, 737),
            ("r7i.large", 1930, 14481, 29),
            ("r7i.2xlarge", 7910, 59627, 58),
            ("r7i.8xlarge", 31850, 239554, 234),
            ("r7i.metal-24xl", 95690, 718987, 737),
            ("r7i.48xlarge", 191450, 1446437, 737),
        ];
        let cat = Catalog::embedded();
        for (name, cpu, mem_mib, pods) in expected {
            let it = cat.get(cat.index_of(name).unwrap());
            assert_eq!(it.arch, Arch::Amd64, "{name}");
            let a = it.allocatable(&KubeletConfig::default());
            assert_eq!(a, Resources::new(*cpu, mem_mib * MIB, *pods), "{name}");
        }
        // Sizes per family as the source lists them (no medium; m7i-flex is not included).
        for fam in ["m7i", "c7i", "r7i"] {
            let sizes: Vec<&str> = cat
                .types()
                .iter()
                .filter(|t| t.family == fam)
                .map(|t| t.size.as_str())
                .collect();
            assert_eq!(
                sizes,
                [
                    "large",
                    "xlarge",
                    "2xlarge",
                    "4xlarge",
                    "8xlarge",
                    "12xlarge",
                    "16xlarge",
                    "24xlarge",
                    "metal-24xl",
                    "48xlarge",
                    "metal-48xl"
                ],
                "{fam}"
            );
        }
    }

    #[test]
    fn metal_sizes_parse_and_count_as_metal() {
        let cat = Catalog::embedded();
        let it = cat.get(cat.index_of("m7i.metal-24xl").unwrap());
        assert_eq!(
            (it.family.as_str(), it.category.as_str(), it.generation),
            ("m7i", "m", 7)
        );
        assert_eq!(it.size, "metal-24xl");
        assert!(
            it.labels()
                .contains(&("karpenter.k8s.aws/instance-size", "metal-24xl".to_string()))
        );
        assert!(
            it.labels()
                .contains(&("kubernetes.io/arch", "amd64".to_string()))
        );
        // The exotic filter drops every size containing "metal".
        let metal: Vec<&str> = cat
            .types()
            .iter()
            .filter(|t| t.is_metal())
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            metal,
            [
                "m7g.metal",
                "m7gd.metal",
                "c7g.metal",
                "c7gd.metal",
                "r7g.metal",
                "r7gd.metal",
                "m7i.metal-24xl",
                "m7i.metal-48xl",
                "c7i.metal-24xl",
                "c7i.metal-48xl",
                "r7i.metal-24xl",
                "r7i.metal-48xl"
            ]
        );
        assert!(!cat.get(cat.index_of("m7i.48xlarge").unwrap()).is_metal());
    }

    #[test]
    fn every_catalog_type_has_a_us_east_1_on_demand_price() {
        use crate::cloud::pricing::{CapacityType, PriceTable};
        let cat = Catalog::embedded();
        let prices = PriceTable::embedded(0.4);
        for t in cat.types() {
            let p = prices.price(&t.name, "us-east-1a", CapacityType::OnDemand);
            assert!(p.is_some_and(|p| p > 0.0), "{} has no price", t.name);
        }
        // Spot checks against InitialOnDemandPricesAWS["us-east-1"] (commit 6fc13b5236fd).
        for (name, usd) in [
            ("m7i.xlarge", 0.2016),
            ("c7i.large", 0.08925),
            ("r7i.2xlarge", 0.5292),
            ("m7i.metal-24xl", 5.32224),
            ("m7i.48xlarge", 9.6768),
        ] {
            assert_eq!(
                prices.price(name, "us-east-1a", CapacityType::OnDemand),
                Some(usd),
                "{name}"
            );
        }
    }

    #[test]
    fn worked_example_from_issue_7356() {
        // c6a.2xlarge log line in aws/karpenter-provider-aws#7356:
        // allocatable cpu 7910m, memory 14162Mi, pods 58 (x86, so no arm64 adjustment).
        let it = InstanceType {
            name: "c6a.2xlarge".into(),
            family: "c6a".into(),
            category: "c".into(),
            generation: 6,
            size: "2xlarge".into(),
            arch: Arch::Amd64,
            vcpu: 8,
            memory_mib: 16384,
            max_enis: 4,
            ipv4_per_eni: 15,
            local_nvme_gb: 0,
        };
        assert_eq!(
            it.allocatable(&KubeletConfig::default()),
            Resources::new(7910, 14162 * MIB, 58)
        );
    }

    #[test]
    fn kubelet_overrides() {
        let cat = Catalog::embedded();
        let it = cat.get(cat.index_of("m7g.xlarge").unwrap());
        let k = KubeletConfig {
            max_pods: Some(110),
            ..Default::default()
        };
        // maxPods changes the pod count but not the ENI-based memory reservation.
        let a = it.allocatable(&k);
        assert_eq!(a.pods, 110);
        assert_eq!(a.mem_b, 14103 * MIB);
        let k = KubeletConfig {
            pods_per_core: Some(10),
            ..Default::default()
        };
        assert_eq!(it.allocatable(&k).pods, 40);
        let k = KubeletConfig {
            kube_reserved: ReservedOverride {
                cpu_m: Some(200),
                mem_b: None,
            },
            system_reserved: ReservedOverride {
                cpu_m: Some(100),
                mem_b: Some(100 * MIB),
            },
            eviction_memory: Some(EvictionValue::Percent(5.0)),
            ..Default::default()
        };
        let a = it.allocatable(&k);
        assert_eq!(a.cpu_m, 4000 - 300);
        let cap = it.capacity(&k).mem_b;
        let evict = (cap as f64 * 0.05).ceil() as i64;
        assert_eq!(a.mem_b, cap - 893 * MIB - 100 * MIB - evict);
    }

    #[test]
    fn names_split_like_karpenter() {
        assert_eq!(
            split_name("m7gd.2xlarge"),
            Some(("m7gd".into(), "m".into(), 7, "2xlarge".into()))
        );
        assert_eq!(
            split_name("c7i.metal-48xl"),
            Some(("c7i".into(), "c".into(), 7, "metal-48xl".into()))
        );
        assert_eq!(
            split_name("u-6tb1.metal"),
            Some(("u-6tb1".into(), "u".into(), 1, "metal".into()))
        );
        assert_eq!(split_name("bad"), None);
    }
}
