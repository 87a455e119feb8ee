//! Staff (with their roles and password hashes), groups and students.

use std::collections::HashMap;

use verzuim_domain::{GroupId, Staff, StaffId, StudentId};

use crate::rows::{GroupRec, StaffRec, StudentRec, staff_select, student_select};
use crate::schools::require_school;
use crate::sql::{contains_pattern, unique_to_conflict};
use crate::{GroupRow, Result, SchoolId, StaffRow, Store, StoreError, StudentQuery, StudentRow};

/// Which staff rows to load.
enum StaffFilter<'a> {
    /// The one with this login name, in any school.
    Username(&'a str),
    /// One of a school.
    Id(SchoolId, StaffId),
    /// All of a school.
    School(SchoolId),
    /// One by id, whatever the school (the staff member of a session).
    AnyId(StaffId),
}

/// The filter of [`StudentQuery`] as bind values: pattern, group, limit, offset.
fn student_filter(query: &StudentQuery) -> (Option<String>, Option<i64>, i64, i64) {
    let pattern = query
        .search
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(contains_pattern);
    let limit = if query.limit > 0 {
        query.limit
    } else {
        i64::MAX
    };
    (
        pattern,
        query.group.map(|g| g.0),
        limit,
        query.offset.max(0),
    )
}

macro_rules! student_where {
    () => {
        " WHERE s.school_id = $1 \
         AND ($2 IS NULL OR LOWER(s.first_name) LIKE $2 ESCAPE '\\' \
              OR LOWER(s.last_name) LIKE $2 ESCAPE '\\' \
              OR LOWER(s.student_number) LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR s.group_id = $3)"
    };
}

/// Name order for student lists; `LOWER` so both dialects agree whatever their collation.
macro_rules! student_order {
    () => {
        " ORDER BY LOWER(s.last_name), LOWER(s.first_name), s.id"
    };
}

impl Store {
    async fn load_staff(&self, filter: StaffFilter<'_>) -> Result<Vec<(StaffRow, Option<String>)>> {
        let (staff_sql, roles_sql) = match filter {
            StaffFilter::Username(_) => (
                concat!(staff_select!(), " WHERE st.username = $1"),
                "SELECT r.staff_id, r.role FROM staff_roles r JOIN staff st ON st.id = r.staff_id \
                 WHERE st.username = $1",
            ),
            StaffFilter::Id(..) => (
                concat!(staff_select!(), " WHERE st.school_id = $1 AND st.id = $2"),
                "SELECT staff_id, role FROM staff_roles WHERE school_id = $1 AND staff_id = $2",
            ),
            StaffFilter::AnyId(_) => (
                concat!(staff_select!(), " WHERE st.id = $1"),
                "SELECT staff_id, role FROM staff_roles WHERE staff_id = $1",
            ),
            StaffFilter::School(_) => (
                concat!(
                    staff_select!(),
                    " WHERE st.school_id = $1 ORDER BY LOWER(st.name), st.id"
                ),
                "SELECT staff_id, role FROM staff_roles WHERE school_id = $1",
            ),
        };
        let (recs, roles): (Vec<StaffRec>, Vec<(i64, String)>) = with_pool!(self, pool => {
            let mut staff_q = sqlx::query_as(staff_sql);
            let mut roles_q = sqlx::query_as(roles_sql);
            match &filter {
                StaffFilter::Username(username) => {
                    staff_q = staff_q.bind(*username);
                    roles_q = roles_q.bind(*username);
                }
                StaffFilter::Id(school, id) => {
                    staff_q = staff_q.bind(school.0).bind(id.0);
                    roles_q = roles_q.bind(school.0).bind(id.0);
                }
                StaffFilter::School(school) => {
                    staff_q = staff_q.bind(school.0);
                    roles_q = roles_q.bind(school.0);
                }
                StaffFilter::AnyId(id) => {
                    staff_q = staff_q.bind(id.0);
                    roles_q = roles_q.bind(id.0);
                }
            }
            (staff_q.fetch_all(pool).await?, roles_q.fetch_all(pool).await?)
        });
        let mut by_staff: HashMap<i64, Vec<String>> = HashMap::new();
        for (staff, role) in roles {
            by_staff.entry(staff).or_default().push(role);
        }
        recs.into_iter()
            .map(|rec| {
                let roles = by_staff.remove(&rec.id).unwrap_or_default();
                rec.into_row(&roles)
            })
            .collect()
    }

    /// The staff member with this login name (in whichever school), with the password hash
    /// (`None`: no password set, so no login).
    pub async fn staff_for_login(
        &self,
        username: &str,
    ) -> Result<Option<(StaffRow, Option<String>)>> {
        Ok(self
            .load_staff(StaffFilter::Username(username.trim()))
            .await?
            .into_iter()
            .next())
    }

    /// A staff member of the school.
    pub async fn staff_member(&self, school: SchoolId, id: StaffId) -> Result<Option<StaffRow>> {
        Ok(self
            .load_staff(StaffFilter::Id(school, id))
            .await?
            .into_iter()
            .next()
            .map(|(row, _)| row))
    }

    /// A staff member by id, in whichever school (the row says which): for the staff member
    /// of a session. Everything else asks [`Store::staff_member`] with the school.
    pub async fn staff_by_id(&self, id: StaffId) -> Result<Option<StaffRow>> {
        Ok(self
            .load_staff(StaffFilter::AnyId(id))
            .await?
            .into_iter()
            .next()
            .map(|(row, _)| row))
    }

    /// The groups a teacher has lessons with (any date), by code: the students a docent may
    /// see.
    pub async fn groups_taught_by(
        &self,
        school: SchoolId,
        teacher: StaffId,
    ) -> Result<Vec<GroupId>> {
        let ids: Vec<i64> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT g.id FROM class_groups g WHERE g.school_id = $1 AND EXISTS \
                 (SELECT 1 FROM lessons l WHERE l.school_id = g.school_id AND l.group_id = g.id \
                 AND l.teacher_id = $2) ORDER BY g.code",
            )
            .bind(school.0)
            .bind(teacher.0)
            .fetch_all(pool)
            .await?
        });
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// All staff of the school, by name.
    pub async fn staff_list(&self, school: SchoolId) -> Result<Vec<StaffRow>> {
        Ok(self
            .load_staff(StaffFilter::School(school))
            .await?
            .into_iter()
            .map(|(row, _)| row)
            .collect())
    }

    /// Adds one staff member to the school, with an optional password hash (PHC string). A
    /// username taken anywhere, or a code taken in the school, is a [`StoreError::Conflict`].
    pub async fn add_staff(
        &self,
        school: SchoolId,
        staff: &Staff,
        password_hash: Option<&str>,
    ) -> Result<StaffId> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            require_school(&mut *tx, school).await?;
            let taken: Option<String> = sqlx::query_scalar(
                "SELECT username FROM staff WHERE username = $1 OR (school_id = $2 AND code = $3)",
            )
            .bind(staff.username.trim())
            .bind(school.0)
            .bind(staff.code.trim())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(taken) = taken {
                return Err(if taken == staff.username.trim() {
                    StoreError::Conflict {
                        field: "gebruikersnaam".to_owned(),
                        reason: format!("'{taken}' is al in gebruik"),
                    }
                } else {
                    StoreError::Conflict {
                        field: "code".to_owned(),
                        reason: format!("docentcode '{}' is al van {taken}", staff.code.trim()),
                    }
                });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO staff (school_id, username, name, code, password_hash) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(school.0)
            .bind(staff.username.trim())
            .bind(staff.name.trim())
            .bind(staff.code.trim())
            .bind(password_hash)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unique_to_conflict(e, "gebruikersnaam", format!("'{}' is al in gebruik", staff.username)))?;
            for role in &staff.roles {
                sqlx::query(
                    "INSERT INTO staff_roles (school_id, staff_id, role) VALUES ($1, $2, $3) \
                     ON CONFLICT (staff_id, role) DO NOTHING",
                )
                .bind(school.0)
                .bind(id)
                .bind(role.code())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(StaffId(id))
        })
    }

    /// Sets a staff member's password hash (PHC string). [`StoreError::NotFound`] when the
    /// staff member is not of this school.
    pub async fn set_password_hash(&self, school: SchoolId, id: StaffId, hash: &str) -> Result<()> {
        let affected = with_pool!(self, pool => {
            sqlx::query("UPDATE staff SET password_hash = $3 WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(id.0)
                .bind(hash)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::NotFound {
                what: format!("medewerker {}", id.0),
            });
        }
        Ok(())
    }

    /// The school's groups, by code.
    pub async fn groups(&self, school: SchoolId) -> Result<Vec<GroupRow>> {
        let recs: Vec<GroupRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, code, year_level, location FROM class_groups WHERE school_id = $1 ORDER BY code",
            )
            .bind(school.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(GroupRec::into_row).collect()
    }

    /// Students of the school matching `query` (name or student number, case-insensitive;
    /// group), by last name and first name, `query.limit` at a time from `query.offset`.
    pub async fn students(
        &self,
        school: SchoolId,
        query: &StudentQuery,
    ) -> Result<Vec<StudentRow>> {
        let (pattern, group, limit, offset) = student_filter(query);
        let recs: Vec<StudentRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(student_select!(), student_where!(), student_order!(), " LIMIT $4 OFFSET $5"))
                .bind(school.0)
                .bind(pattern.as_deref())
                .bind(group)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(StudentRec::into_row).collect()
    }

    /// How many students match `query` (its limit and offset ignored).
    pub async fn count_students(&self, school: SchoolId, query: &StudentQuery) -> Result<i64> {
        let (pattern, group, _, _) = student_filter(query);
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(concat!("SELECT COUNT(*) FROM students s", student_where!()))
                .bind(school.0)
                .bind(pattern.as_deref())
                .bind(group)
                .fetch_one(pool)
                .await?
        }))
    }

    /// A student of the school; `None` when there is none with this id in this school.
    pub async fn student(&self, school: SchoolId, id: StudentId) -> Result<Option<StudentRow>> {
        let rec: Option<StudentRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(student_select!(), " WHERE s.school_id = $1 AND s.id = $2"))
                .bind(school.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        rec.map(StudentRec::into_row).transpose()
    }

    /// A student of the school by the school's student number.
    pub async fn student_by_number(
        &self,
        school: SchoolId,
        student_number: &str,
    ) -> Result<Option<StudentRow>> {
        let rec: Option<StudentRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(student_select!(), " WHERE s.school_id = $1 AND s.student_number = $2"))
                .bind(school.0)
                .bind(student_number.trim())
                .fetch_optional(pool)
                .await?
        });
        rec.map(StudentRec::into_row).transpose()
    }

    /// The students of a group of the school, by name.
    pub async fn students_in_group(
        &self,
        school: SchoolId,
        group: GroupId,
    ) -> Result<Vec<StudentRow>> {
        let recs: Vec<StudentRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                student_select!(),
                " WHERE s.school_id = $1 AND s.group_id = $2",
                student_order!()
            ))
            .bind(school.0)
            .bind(group.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(StudentRec::into_row).collect()
    }
}
