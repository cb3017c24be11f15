//! Input model: the resume, the job and the order that ties them to a
//! company, a role and dates. Responsible for reading and checking input
//! and for saying precisely what is wrong with it; not for judging it
//! (that is [`crate::analysis`]).

mod date;
mod job;
pub(crate) mod json;
mod limits;
pub(crate) mod order;
mod read;
mod resume;

pub use date::{PartialDate, parse_ymd};
pub use job::{Job, JobDoc, JobSkill};
pub use json::MAX_INPUT_BYTES;
pub use limits::Limits;
pub use order::{
    Delivery, Order, OrderDraft, PathPolicy, Protection, ResumeDocument, Source, Target,
    valid_order_id,
};
pub use read::{OrderFlags, ReadOptions, read, read_json};
pub use resume::{
    Award, Basics, Certificate, Education, Interest, Language, Location, Profile,
    Project, Publication, Resume, Skill, Volunteer, Work,
};
