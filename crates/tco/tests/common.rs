use std::path::{Path, PathBuf};

use audit_tco::{Assumptions, IdcInventory, Options, TcoError, TcoReport, compute};

pub fn repo(rel: &str) -> PathBuf {
    // Run-time value first: see tests/common.rs of the workspace.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("../..")
        .join(rel)
}

/// Small assumptions whose IDC month is computed by hand in `hand.rs`.
pub const ASSUMPTIONS: &str = r#"
version = 1
currency = "CNY"
limit = 0.7

[facility]
pue = 1.5
tariff_per_kwh = 1.0
days_per_month = 30
colocation_per_unit_month = 100
maintenance_share_per_year = 0.12

[staff]
fte = 1
cost_per_fte_year = 120000

[assets.gpu]
category = "gpu_compute"
purchase = 600000
depreciation_years = 5
power_kw = 2
rack_units = 4

[[licences]]
name = "l"
per_year = 12000
category = "management"

[[lines]]
name = "bgp"
per_month = 5000
category = "network_security"

[cloud]
staff_fte = 0.5

[[cloud.extras]]
name = "dx"
per_month = 1000
category = "network_security"

[what_if]
compute_categories = ["Compute"]
storage_categories = ["Storage"]
commitment_share = 0.5
commitment_discount = 0.2
spot_cost_centers = ["train"]
spot_share = 0.5
spot_discount = 0.6
cold_share = 0.5
cold_price_ratio = 0.2
"#;

pub const INVENTORY: &str = "asset_class,count,description\ngpu,2,two GPU servers\n";

pub const HEADER: &str = "ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BilledCost,EffectiveCost,ServiceCategory,ServiceName,Tags";

/// Two months of costs, the second closed by a last (free) day; the sums are worked out
/// in `hand.rs`.
pub const COSTS: &str = r#"2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,CNY,10000,9000,Compute,EC2,"{""cost-center"":""train""}"
2026-09-15T00:00:00Z,2026-09-16T00:00:00Z,CNY,3000,3000,Storage,S3,"{""cost-center"":""video""}"
2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,CNY,20000,18000,Compute,EC2,"{""cost-center"":""train""}"
2026-10-02T00:00:00Z,2026-10-03T00:00:00Z,CNY,4000,4000,Compute,EC2,"{""cost-center"":""web""}"
2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,CNY,5000,5000,Storage,S3,
2026-10-04T00:00:00Z,2026-10-05T00:00:00Z,CNY,1000,1000,Networking,VPC,"{""env"":""prod""}"
2026-10-31T00:00:00Z,2026-11-01T00:00:00Z,CNY,0,0,Networking,VPC,"{""env"":""prod""}"
"#;

pub struct Case {
    pub dir: tempfile::TempDir,
    pub assumptions: PathBuf,
    pub inventory: PathBuf,
}

impl Case {
    pub fn new() -> Case {
        Case::with(ASSUMPTIONS, INVENTORY)
    }

    pub fn with(assumptions: &str, inventory: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("tco.toml");
        let i = dir.path().join("inventory.csv");
        std::fs::write(&a, assumptions).unwrap();
        std::fs::write(&i, inventory).unwrap();
        Case {
            dir,
            assumptions: a,
            inventory: i,
        }
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn run(&self, costs: &[PathBuf], options: &Options) -> Result<TcoReport, TcoError> {
        let a = Assumptions::load(&self.assumptions)?;
        let i = IdcInventory::load(&self.inventory)?;
        compute(&a, &i, costs, options)
    }
}

/// The error's message, which must name the file and the column.
pub fn assert_names(err: &TcoError, file: &Path, column: &str) {
    let msg = err.to_string();
    assert!(
        msg.contains(&file.display().to_string()),
        "`{msg}` does not name `{}`",
        file.display()
    );
    assert!(msg.contains(column), "`{msg}` does not name `{column}`");
    assert_eq!(err.exit_code(), 3, "`{msg}` is not invalid input");
}
