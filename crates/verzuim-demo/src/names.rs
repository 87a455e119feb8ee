//! Dutch (and South-Limburg) names for students and staff, and the staff codes derived from them.

use rand::Rng;
use rand::seq::IndexedRandom;

/// Girls' given names common among Dutch children born 2008–2015.
const GIRLS: &[&str] = &[
    "Emma",
    "Julia",
    "Sophie",
    "Tess",
    "Zoë",
    "Sara",
    "Anna",
    "Eva",
    "Lotte",
    "Fleur",
    "Lisa",
    "Noa",
    "Saar",
    "Liv",
    "Lieke",
    "Femke",
    "Isa",
    "Roos",
    "Sanne",
    "Nina",
    "Mila",
    "Evi",
    "Jasmijn",
    "Yara",
    "Elin",
    "Fenna",
    "Maud",
    "Lynn",
    "Noor",
    "Amber",
    "Iris",
    "Lana",
    "Floor",
    "Esmee",
    "Demi",
    "Vera",
    "Norah",
    "Lieve",
    "Hanna",
    "Nova",
    "Aya",
    "Malak",
    "Ilse",
    "Kim",
    "Romy",
    "Luna",
    "Olivia",
    "Charlotte",
    "Merel",
    "Anouk",
];

/// Boys' given names common among Dutch children born 2008–2015.
const BOYS: &[&str] = &[
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Luuk", "Thijs", "Jesse", "Noah",
    "Max", "Ruben", "Stijn", "Lars", "Tim", "Sven", "Jens", "Tom", "Julian", "Gijs", "Niels",
    "Thomas", "Mees", "Siem", "Teun", "Jayden", "Dex", "Luca", "Hugo", "Mats", "Cas", "Koen",
    "Rick", "Joep", "Stan", "Pim", "Jurre", "Ayoub", "Mohamed", "Emir", "Youssef", "Kian", "Tygo",
    "Olivier", "Jelle", "Wout", "Maarten", "Bas", "Joris",
];

/// Given names of adults (staff), mixed.
const ADULTS: &[&str] = &[
    "Marieke", "Ingrid", "Monique", "Anja", "Petra", "Miriam", "Yvonne", "Esther", "Karin",
    "Mieke", "Wendy", "Linda", "Saskia", "Chantal", "Bianca", "Anouk", "Nicole", "Sandra",
    "Judith", "Marloes", "Jos", "Sjef", "Harrie", "Ton", "Wim", "Frank", "Roel", "Paul", "Rob",
    "Peter", "Marc", "Ralf", "Hans", "Jeroen", "Guido", "Maurice", "Roger", "Patrick", "Michel",
    "Bart", "Erik", "Dennis", "Raymond", "Luc", "Ivo", "Hanneke", "Loes", "Kees", "Fatima",
    "Hakan",
];

/// Family names with their tussenvoegsel; South-Limburg names weigh in.
const FAMILY: &[(&str, &str)] = &[
    ("", "Janssen"),
    ("", "Peeters"),
    ("", "Smeets"),
    ("", "Hermans"),
    ("", "Vossen"),
    ("", "Willems"),
    ("", "Lemmens"),
    ("", "Wouters"),
    ("", "Claessens"),
    ("", "Ramakers"),
    ("", "Meertens"),
    ("", "Bemelmans"),
    ("", "Houben"),
    ("", "Kusters"),
    ("", "Nijsten"),
    ("", "Notermans"),
    ("", "Schreurs"),
    ("", "Vliegen"),
    ("", "Pluijmen"),
    ("", "Gielen"),
    ("", "Frissen"),
    ("", "Hendriks"),
    ("", "Jacobs"),
    ("", "Brouwers"),
    ("", "Dassen"),
    ("", "Habets"),
    ("", "Jeurissen"),
    ("", "Kerckhoffs"),
    ("", "Lenssen"),
    ("", "Maessen"),
    ("", "Muijrers"),
    ("", "Ortmans"),
    ("", "Pieters"),
    ("", "Quaedvlieg"),
    ("", "Rutten"),
    ("", "Senden"),
    ("", "Stassen"),
    ("", "Thewissen"),
    ("", "Ubachs"),
    ("", "Vanderhoven"),
    ("", "Wetzels"),
    ("", "Xhonneux"),
    ("", "Zeegers"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Mulder"),
    ("", "Bos"),
    ("", "Dekker"),
    ("", "Meijer"),
    ("de", "Jong"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("van", "Leeuwen"),
    ("van der", "Linden"),
    ("van de", "Ven"),
    ("de", "Groot"),
    ("van", "Wijk"),
    ("van den", "Bosch"),
    ("van der", "Heijden"),
    ("op de", "Laak"),
    ("van", "Loo"),
    ("van", "Gulik"),
    ("de", "Bruijn"),
    ("", "El Amrani"),
    ("", "Yilmaz"),
    ("", "Öztürk"),
    ("", "Kaya"),
    ("", "Bouzid"),
    ("", "Haddou"),
    ("", "Nguyen"),
    ("", "Kowalski"),
    ("", "Nowak"),
    ("", "Silva"),
    ("", "Dubois"),
    ("", "Lambrichts"),
    ("", "Vandeweyer"),
    ("", "Beckers"),
    ("", "Coenen"),
];

/// A person's name in its Dutch parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PersonName {
    pub first: String,
    pub prefix: String,
    pub last: String,
}

impl PersonName {
    /// "Anna van der Berg".
    pub fn full(&self) -> String {
        [
            self.first.as_str(),
            self.prefix.as_str(),
            self.last.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

fn pick<'a, R: Rng>(rng: &mut R, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("Kim")
}

/// A student's name.
pub(crate) fn student_name<R: Rng>(rng: &mut R) -> PersonName {
    let first = if rng.random_bool(0.5) {
        pick(rng, GIRLS)
    } else {
        pick(rng, BOYS)
    };
    family(rng, first)
}

/// A staff member's name.
pub(crate) fn adult_name<R: Rng>(rng: &mut R) -> PersonName {
    let first = pick(rng, ADULTS);
    family(rng, first)
}

fn family<R: Rng>(rng: &mut R, first: &str) -> PersonName {
    let (prefix, last) = FAMILY.choose(rng).copied().unwrap_or(("", "Janssen"));
    PersonName {
        first: first.to_owned(),
        prefix: prefix.to_owned(),
        last: last.to_owned(),
    }
}

/// ASCII capital letters of a name, diacritics folded ("Öztürk" → "OZTURK").
fn letters(text: &str) -> Vec<u8> {
    text.chars()
        .filter_map(|c| {
            let folded = match c {
                'Ö' | 'ö' | 'Ó' | 'ó' | 'Ò' | 'ò' => 'O',
                'Ü' | 'ü' | 'Ú' | 'ú' => 'U',
                'É' | 'é' | 'È' | 'è' | 'Ë' | 'ë' => 'E',
                'Ï' | 'ï' | 'Í' | 'í' => 'I',
                'Á' | 'á' | 'À' | 'à' | 'Ä' | 'ä' => 'A',
                other => other,
            };
            folded
                .is_ascii_alphabetic()
                .then(|| folded.to_ascii_uppercase() as u8)
        })
        .collect()
}

/// A three-letter docentcode derived from the name the way schools do it (first letters of the
/// family name, then of the given name), not in `taken`. Falls back to the first free code
/// in alphabetical order.
pub(crate) fn staff_code(name: &PersonName, taken: &dyn Fn(&str) -> bool) -> String {
    let last = letters(&name.last);
    let first = letters(&name.first);
    let mut candidates: Vec<[u8; 3]> = Vec::new();
    if last.len() >= 3 {
        candidates.push([last[0], last[1], last[2]]);
        for &c in last.iter().skip(3) {
            candidates.push([last[0], last[1], c]);
        }
    }
    if let (Some(&l0), Some(&l1)) = (last.first(), last.get(1)) {
        for &f in &first {
            candidates.push([l0, l1, f]);
        }
        for &f in &first {
            candidates.push([l0, f, l1]);
        }
    }
    for c in candidates {
        let code: String = c.iter().map(|&b| char::from(b)).collect();
        if !taken(&code) {
            return code;
        }
    }
    for n in 0..(26 * 26 * 26) {
        let code: String = [n / 676, (n / 26) % 26, n % 26]
            .iter()
            .map(|&i| char::from(b'A' + i as u8))
            .collect();
        if !taken(&code) {
            return code;
        }
    }
    "ZZZ".to_owned()
}
